package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Prophesee RAW EVT 3.0: a {@code %} header, then little-endian 16-bit words, type in the top 4
 * bits, that update a decoder state (y, x base, polarity, time) and emit CD events.
 *
 * <ul>
 *   <li>{@code 0x0} ADDR_Y: y = bits 10..0 (bit 11, the system type, is ignored).
 *   <li>{@code 0x2} ADDR_X: one event at x = bits 10..0, polarity = bit 11.
 *   <li>{@code 0x3} VECT_BASE_X: sets the x base (bits 10..0) and the polarity (bit 11) of the
 *       following vectors.
 *   <li>{@code 0x4} VECT_12 / {@code 0x5} VECT_8: one event at x base + i for every set bit i of
 *       the 12 / 8 low bits, then the x base advances by 12 / 8.
 *   <li>{@code 0x6} TIME_LOW: timestamp bits 11..0. {@code 0x8} TIME_HIGH: bits 23..12, and the
 *       low part restarts at 0. Time = TIME_HIGH·4096 + TIME_LOW. Only TIME_HIGH wraps (every
 *       2^24 µs): a TIME_HIGH that falls by more than half its range starts a new 2^24 µs epoch,
 *       extending time to 64 bits. A TIME_LOW that steps back a few µs is sensor jitter and is
 *       taken as is, never as a wrap.
 *   <li>{@code 0xA} EXT_TRIGGER, {@code 0x7} CONTINUED_4, {@code 0xF} CONTINUED_12, {@code 0xE}
 *       OTHERS and unknown types carry no CD event: counted ({@link #ignoredWords()}), skipped.
 * </ul>
 *
 * Prophesee sensors use origin top-left, x right, y down: coordinates are kept; polarity 1 = ON.
 * Events outside the sensor are skipped and counted in {@link #skipped()}.
 */
public final class Evt3Reader extends AbstractEventReader {
    private static final int HALF_RANGE = 1 << 11;
    /** The most events one word can produce (VECT_12). */
    private static final int MAX_PER_WORD = 12;

    private int y;
    private int baseX;
    private int vectorPolarity;
    private int lastTimeHigh = -1;
    private long epoch;
    private long highBase;
    private long time;
    private long ignoredWords;
    private long triggers;

    public Evt3Reader(Path file) throws IOException {
        this(file, Files.newInputStream(file));
    }

    /** Reads from any stream (e.g. memory); {@code name} appears in error messages. */
    public Evt3Reader(Path name, InputStream stream) throws IOException {
        super(new ChunkedInput(name, stream));
        RawHeader h;
        try {
            h = RawHeader.read(in);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        if (h.format() != RecordingFormat.EVT3) {
            in.close();
            throw new RecordingFormatException(name, 0, "header declares " + h.format().id() + ", not EVT 3.0");
        }
        this.geometry = h.geometry();
        if (h.cutAt() >= 0) {
            truncation = new Truncation(name, h.cutAt(), null, "truncated header: the file ends inside it"
                    + (h.geometryAssumed() ? " (sensor size unknown: " + h.geometry() + " assumed)" : ""));
        }
        this.highBase = h.timeOffsetUs();
        this.time = highBase;
        this.epoch = h.timeOffsetUs();
    }

    @Override
    public RecordingFormat format() {
        return RecordingFormat.EVT3;
    }

    @Override
    public boolean read(EventBatch batch, int maxEvents) throws IOException {
        maxEvents = checkMax(maxEvents);
        batch.clear();
        batch.ensureCapacity(maxEvents + MAX_PER_WORD);
        final long[] ts = batch.ts();
        final short[] xs = batch.xs();
        final short[] ys = batch.ys();
        final byte[] ps = batch.ps();
        final int width = geometry.width();
        final int height = geometry.height();
        int n = 0;
        // decoder state in locals for the hot loop, written back at the end
        int cy = y;
        int bx = baseX;
        int vp = vectorPolarity;
        long t = time;
        long hb = highBase;
        long skip = 0;
        while (n < maxEvents && !cut()) {
            int avail;
            try {
                avail = in.availableRecords(2, "EVT 3.0 word");
            } catch (TruncatedInput e) {
                truncation = e.truncation(); // the word's type is in its last byte: loss unknown
                break;
            }
            if (avail == 0) {
                break;
            }
            final byte[] b = in.buf;
            int p = in.pos;
            final int end = p + (avail & ~1);
            for (; p < end && n < maxEvents; p += 2) {
                int w = (short) LittleEndian.I16.get(b, p) & 0xFFFF;
                switch (w >>> 12) {
                    case 0x0 -> cy = w & 0x7FF;
                    case 0x2 -> {
                        int x = w & 0x7FF;
                        if (x < width && cy < height) {
                            ts[n] = t;
                            xs[n] = (short) x;
                            ys[n] = (short) cy;
                            ps[n] = (byte) ((w >>> 11) & 1);
                            n++;
                        } else {
                            skip++;
                        }
                    }
                    case 0x3 -> {
                        bx = w & 0x7FF;
                        vp = (w >>> 11) & 1;
                    }
                    case 0x4 -> {
                        int before = n;
                        n = vector(w & 0xFFF, bx, cy, vp, t, width, height, n, ts, xs, ys, ps);
                        skip += Integer.bitCount(w & 0xFFF) - (n - before);
                        bx += 12;
                    }
                    case 0x5 -> {
                        int before = n;
                        n = vector(w & 0xFF, bx, cy, vp, t, width, height, n, ts, xs, ys, ps);
                        skip += Integer.bitCount(w & 0xFF) - (n - before);
                        bx += 8;
                    }
                    case 0x6 -> t = hb + (w & 0xFFF);
                    case 0x8 -> {
                        int high = w & 0xFFF;
                        if (high < lastTimeHigh && lastTimeHigh - high > HALF_RANGE) {
                            epoch += 1L << 24;
                        }
                        lastTimeHigh = high;
                        hb = epoch + ((long) high << 12);
                        t = hb;
                    }
                    case 0xA -> {
                        triggers++;
                        ignoredWords++;
                    }
                    default -> ignoredWords++;
                }
            }
            in.pos = p;
        }
        y = cy;
        baseX = bx;
        vectorPolarity = vp;
        time = t;
        highBase = hb;
        skipped += skip;
        batch.setSize(n);
        return n > 0;
    }

    /** Emits one event per set bit of {@code mask} that lies inside the sensor; returns the new size. */
    private static int vector(int mask, int bx, int cy, int vp, long t, int width, int height, int n,
            long[] ts, short[] xs, short[] ys, byte[] ps) {
        if (cy < height && bx + 11 < width) {
            // common case: the whole vector lies inside the sensor
            while (mask != 0) {
                int i = Integer.numberOfTrailingZeros(mask);
                mask &= mask - 1;
                ts[n] = t;
                xs[n] = (short) (bx + i);
                ys[n] = (short) cy;
                ps[n] = (byte) vp;
                n++;
            }
        } else if (cy < height) {
            while (mask != 0) {
                int i = Integer.numberOfTrailingZeros(mask);
                mask &= mask - 1;
                if (bx + i < width) {
                    ts[n] = t;
                    xs[n] = (short) (bx + i);
                    ys[n] = (short) cy;
                    ps[n] = (byte) vp;
                    n++;
                }
            }
        }
        return n;
    }

    /** Words that carried no CD event (triggers, CONTINUED, OTHERS, unknown types). */
    public long ignoredWords() {
        return ignoredWords;
    }

    /** EXT_TRIGGER words seen (not decoded into events). */
    public long triggers() {
        return triggers;
    }
}
