package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CSV events: the header line {@code t,x,y,p}, then one event per line, t in µs, x and y in
 * pixels (origin top-left, y down), p 1 = ON / 0 = OFF. CSV carries no sensor size: reading a
 * file by path makes a first streaming pass and takes the smallest geometry holding every event.
 * A malformed line is an error naming its line number and byte offset.
 */
public final class CsvEventReader extends AbstractEventReader {
    static final String HEADER = "t,x,y,p";
    /** No valid line is longer; a longer one is not CSV events (and must not grow buffers). */
    static final int MAX_LINE = 256;

    private long line = 1;
    private final long[] f = new long[4];

    /** Opens a file, deriving the geometry from a first pass over its coordinates. */
    public CsvEventReader(Path file) throws IOException {
        this(file, Files.newInputStream(file), scanGeometry(file));
    }

    /** Reads from any stream with a known geometry; {@code name} appears in error messages. */
    public CsvEventReader(Path name, InputStream stream, SensorGeometry geometry) throws IOException {
        super(new ChunkedInput(name, stream));
        this.geometry = geometry;
        try {
            readHeader();
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private void readHeader() throws IOException {
        int len = lineEnd();
        String h = new String(in.buf, in.pos, len, StandardCharsets.US_ASCII).strip();
        if (!h.equals(HEADER)) {
            throw in.error(0, "CSV header is '" + h + "', expected '" + HEADER + "'");
        }
        in.pos += len;
        skipNewline();
    }

    static SensorGeometry scanGeometry(Path file) throws IOException {
        int maxX = 0;
        int maxY = 0;
        try (CsvEventReader r = new CsvEventReader(file, Files.newInputStream(file), new SensorGeometry(65535, 65535))) {
            EventBatch b = new EventBatch(8192);
            while (r.read(b, 8192)) {
                for (int i = 0; i < b.size(); i++) {
                    maxX = Math.max(maxX, b.x(i));
                    maxY = Math.max(maxY, b.y(i));
                }
            }
        }
        return new SensorGeometry(maxX + 1, maxY + 1);
    }

    @Override
    public RecordingFormat format() {
        return RecordingFormat.CSV;
    }

    @Override
    public boolean read(EventBatch batch, int maxEvents) throws IOException {
        maxEvents = checkMax(maxEvents);
        batch.clear();
        while (batch.size() < maxEvents && !cut() && !in.atEnd()) {
            line++;
            long at = in.offset();
            int len = lineEnd();
            if (len == 0 || (len == 1 && in.buf[in.pos] == '\r')) {
                in.pos += len;
                skipNewline();
                continue;
            }
            try {
                parse(batch, in.buf, in.pos, in.pos + len, at);
            } catch (RecordingFormatException e) {
                // lineEnd asked for more than a line: no newline and fewer bytes means the file ends here
                boolean unterminated = in.pos + len == in.limit && in.available() <= MAX_LINE;
                if (!unterminated) {
                    throw e;
                }
                truncation = new Truncation(in.file, at, 1L, "truncated " + e.problem() + " (the file ends inside this line)");
                in.pos = in.limit;
                break;
            }
            in.pos += len;
            skipNewline();
        }
        return !batch.isEmpty();
    }

    /** Length of the current line without its newline; fails on lines longer than {@link #MAX_LINE}. */
    private int lineEnd() throws IOException {
        in.fill(MAX_LINE + 1);
        int lim = Math.min(in.limit, in.pos + MAX_LINE + 1);
        for (int i = in.pos; i < lim; i++) {
            if (in.buf[i] == '\n') {
                return i - in.pos;
            }
        }
        if (lim - in.pos > MAX_LINE) {
            throw in.error(in.offset(), "line " + line + " longer than " + MAX_LINE + " bytes");
        }
        return lim - in.pos;
    }

    private void skipNewline() {
        if (in.pos < in.limit && in.buf[in.pos] == '\n') {
            in.pos++;
        }
    }

    private void parse(EventBatch batch, byte[] b, int from, int to, long at) throws RecordingFormatException {
        int field = 0;
        int i = from;
        if (to > from && b[to - 1] == '\r') {
            to--;
        }
        while (field < 4) {
            boolean neg = i < to && b[i] == '-';
            if (neg) {
                i++;
            }
            int digits = 0;
            long v = 0;
            while (i < to && b[i] >= '0' && b[i] <= '9') {
                if (++digits > 18) {
                    throw bad(at, "number too long");
                }
                v = v * 10 + (b[i++] - '0');
            }
            if (digits == 0) {
                throw bad(at, "field " + (field + 1) + " is not an integer");
            }
            f[field++] = neg ? -v : v;
            if (field < 4) {
                if (i >= to || b[i] != ',') {
                    throw bad(at, "expected 4 comma-separated fields t,x,y,p");
                }
                i++;
            }
        }
        if (i != to) {
            throw bad(at, "trailing characters after t,x,y,p");
        }
        if (f[3] != 0 && f[3] != 1) {
            throw bad(at, "polarity " + f[3] + " is neither 0 nor 1");
        }
        if (f[1] < 0 || f[2] < 0 || f[1] >= geometry.width() || f[2] >= geometry.height()) {
            skipped++;
            return;
        }
        batch.add(f[0], (int) f[1], (int) f[2], (int) f[3]);
    }

    private RecordingFormatException bad(long at, String problem) {
        return in.error(at, "line " + line + ": " + problem);
    }
}
