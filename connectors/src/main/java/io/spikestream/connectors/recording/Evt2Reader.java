package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Prophesee RAW EVT 2.0: a {@code %} header, then little-endian 32-bit words whose top 4 bits give
 * the type.
 *
 * <ul>
 *   <li>{@code 0x0} CD_OFF / {@code 0x1} CD_ON: bits 27..22 the 6 low bits of the timestamp, 21..11
 *       x, 10..0 y. Prophesee sensors already use origin top-left, x right, y down, so x and y are
 *       kept; polarity = the type bit (1 = ON).
 *   <li>{@code 0x8} EVT_TIME_HIGH: bits 27..0 are timestamp bits 33..6. The 34-bit clock wraps
 *       every 2^34 µs (≈4.8 h); a TIME_HIGH that falls by more than half its range is a wrap and
 *       the reader extends time to 64 bits (one that rises by more than half its range steps back
 *       across a wrap). Smaller falls are jitter, not wraps.
 *   <li>{@code 0xA} EXT_TRIGGER, {@code 0xE} OTHERS, {@code 0xF} CONTINUED and unknown types carry
 *       no CD event: they are counted ({@link #ignoredWords()}) and skipped.
 * </ul>
 *
 * Events outside the sensor are skipped and counted in {@link #skipped()}.
 */
public final class Evt2Reader extends AbstractEventReader {
    private static final int HALF_RANGE = 1 << 27;

    private final long timeOffsetUs;
    private long epoch;
    private int lastTimeHigh = -1;
    private long timeBase;
    private long ignoredWords;
    private long triggers;

    public Evt2Reader(Path file) throws IOException {
        this(file, java.nio.file.Files.newInputStream(file));
    }

    /** Reads from any stream (e.g. memory); {@code name} appears in error messages. */
    public Evt2Reader(Path name, InputStream stream) throws IOException {
        super(new ChunkedInput(name, stream));
        RawHeader h;
        try {
            h = RawHeader.read(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        if (h.format() != RecordingFormat.EVT2) {
            in.close();
            throw new RecordingFormatException(name, 0, "header declares " + h.format().id() + ", not EVT 2.0");
        }
        this.geometry = h.geometry();
        if (h.cutAt() >= 0) {
            truncation = new Truncation(name, h.cutAt(), null, "truncated header: the file ends inside it"
                    + (h.geometryAssumed() ? " (sensor size unknown: " + h.geometry() + " assumed)" : ""));
        }
        this.timeOffsetUs = h.timeOffsetUs();
        this.timeBase = timeOffsetUs;
    }

    @Override
    public RecordingFormat format() {
        return RecordingFormat.EVT2;
    }

    @Override
    public boolean read(EventBatch batch, int maxEvents) throws IOException {
        maxEvents = checkMax(maxEvents);
        batch.clear();
        batch.ensureCapacity(maxEvents);
        long[] ts = batch.ts();
        short[] xs = batch.xs();
        short[] ys = batch.ys();
        byte[] ps = batch.ps();
        final int width = geometry.width();
        final int height = geometry.height();
        int n = 0;
        long base = timeBase;
        while (n < maxEvents && !cut()) {
            int avail;
            try {
                avail = in.availableRecords(4, "EVT 2.0 word");
            } catch (TruncatedInput e) {
                truncation = e.truncation(); // the word's type is in its last byte: loss unknown
                break;
            }
            if (avail == 0) {
                break;
            }
            final byte[] b = in.buf;
            int p = in.pos;
            // each word yields at most one event, so the loop bound needs no per-event check
            final int end = p + 4 * Math.min(avail >>> 2, maxEvents - n);
            for (; p < end; p += 4) {
                int w = (int) LittleEndian.I32.get(b, p);
                int type = w >>> 28;
                if (type <= 1) {
                    int x = (w >>> 11) & 0x7FF;
                    int y = w & 0x7FF;
                    if (x >= width || y >= height) {
                        skipped++;
                        continue;
                    }
                    ts[n] = base + ((w >>> 22) & 0x3F);
                    xs[n] = (short) x;
                    ys[n] = (short) y;
                    ps[n] = (byte) type;
                    n++;
                } else if (type == 0x8) {
                    int high = w & 0x0FFFFFFF;
                    if (lastTimeHigh >= 0) {
                        if (lastTimeHigh - high > HALF_RANGE) {
                            epoch += 1L << 34;
                        } else if (high - lastTimeHigh > HALF_RANGE) {
                            epoch -= 1L << 34; // stepped back across a wrap
                        }
                    }
                    lastTimeHigh = high;
                    base = timeOffsetUs + epoch + ((long) high << 6);
                } else {
                    if (type == 0xA) {
                        triggers++;
                    }
                    ignoredWords++;
                }
            }
            in.pos = p;
        }
        timeBase = base;
        batch.setSize(n);
        return n > 0;
    }

    /** Words that carried no CD event (triggers, OTHERS, CONTINUED, unknown types). */
    public long ignoredWords() {
        return ignoredWords;
    }

    /** EXT_TRIGGER words seen (not decoded into events). */
    public long triggers() {
        return triggers;
    }
}
