package io.spikestream.connectors.recording;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * A fixed-size window over a byte stream that decoders scan in tight loops.
 *
 * <p>Decoders read {@link #buf} directly between {@link #pos} and {@link #limit} and advance
 * {@link #pos} themselves; {@link #fill(int)} slides the unread bytes to the front and reads more.
 * The window never grows, so memory stays bounded whatever the file says, and {@link #offset()}
 * always knows the absolute byte offset for error messages.
 */
final class ChunkedInput implements Closeable {
    static final int DEFAULT_CAPACITY = 1 << 20;

    final Path file;
    final byte[] buf;
    int pos;
    int limit;
    private final InputStream in;
    /** File offset of {@code buf[0]}. */
    private long base;
    private boolean eof;

    ChunkedInput(Path file, InputStream in, int capacity) {
        this.file = file;
        this.in = in;
        this.buf = new byte[capacity];
    }

    ChunkedInput(Path file, InputStream in) {
        this(file, in, DEFAULT_CAPACITY);
    }

    /** Absolute file offset of {@code buf[pos]}. */
    long offset() {
        return base + pos;
    }

    /** Absolute file offset of {@code buf[index]}. */
    long offsetOf(int index) {
        return base + index;
    }

    int available() {
        return limit - pos;
    }

    int capacity() {
        return buf.length;
    }

    /**
     * Bytes available for a stream of fixed-size records: at least one whole {@code recordBytes}
     * record, or 0 at a clean end of the stream.
     *
     * @throws TruncatedInput when the stream ends inside a record (the partial record is left
     *     between {@link #pos} and {@link #limit})
     */
    int availableRecords(int recordBytes, String record) throws IOException {
        int avail = available();
        if (avail >= recordBytes) {
            return avail;
        }
        avail = fill(recordBytes);
        if (avail >= recordBytes) {
            return avail;
        }
        if (avail > 0) {
            throw truncated(offset(), "truncated " + record + ": " + avail + (avail == 1 ? " trailing byte" : " trailing bytes"));
        }
        return 0;
    }

    /**
     * Makes at least {@code n} bytes available (n ≤ capacity) unless the stream ends first.
     *
     * @return the bytes now available, which is less than {@code n} only at the end of the stream
     */
    int fill(int n) throws IOException {
        if (n > buf.length) {
            throw new IllegalArgumentException("request of " + n + " bytes exceeds the window of " + buf.length);
        }
        if (limit - pos >= n) {
            return limit - pos;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            base += pos;
            limit -= pos;
            pos = 0;
        }
        while (limit < n && !eof) {
            int r = in.read(buf, limit, buf.length - limit);
            if (r < 0) {
                eof = true;
            } else {
                limit += r;
            }
        }
        return limit - pos;
    }

    /** True when no byte is left. */
    boolean atEnd() throws IOException {
        return fill(1) == 0;
    }

    /** Skips exactly {@code n} bytes or throws {@link TruncatedInput} naming what was being skipped. */
    void skip(long n, String what) throws IOException {
        long start = offset();
        long left = n;
        while (left > 0) {
            int a = available();
            if (a == 0) {
                a = fill(1);
                if (a == 0) {
                    throw truncated(start, "truncated " + what + ": " + n + " bytes expected, file ends after "
                            + (n - left));
                }
            }
            int step = (int) Math.min(a, left);
            pos += step;
            left -= step;
        }
    }

    /**
     * Copies exactly {@code n} bytes into {@code dst[off..]} or throws {@link TruncatedInput}
     * naming what was being read.
     */
    void readFully(byte[] dst, int off, int n, String what) throws IOException {
        long start = offset();
        int done = readUpTo(dst, off, n);
        if (done < n) {
            throw truncated(start, truncatedMessage(what, n, done));
        }
    }

    /** Copies up to {@code n} bytes into {@code dst[off..]}: fewer only where the stream ends. */
    int readUpTo(byte[] dst, int off, int n) throws IOException {
        int done = 0;
        while (done < n) {
            int a = available();
            if (a == 0) {
                a = fill(1);
                if (a == 0) {
                    break;
                }
            }
            int step = Math.min(a, n - done);
            System.arraycopy(buf, pos, dst, off + done, step);
            pos += step;
            done += step;
        }
        return done;
    }

    static String truncatedMessage(String what, long expected, long got) {
        return "truncated " + what + ": " + expected + " bytes expected, file ends after " + got;
    }

    /**
     * Makes exactly {@code n} bytes available (n ≤ capacity) or throws {@link TruncatedInput}
     * naming what was being read.
     */
    void require(int n, String what) throws IOException {
        int a = fill(n);
        if (a < n) {
            throw truncated(offset(), truncatedMessage(what, n, a));
        }
    }

    RecordingFormatException error(long offset, String problem) {
        return new RecordingFormatException(file, offset, problem);
    }

    /** The stream ended inside a unit; the reader decides what was lost (unknown by default). */
    TruncatedInput truncated(long offset, String problem) {
        return new TruncatedInput(file, offset, problem, null);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
