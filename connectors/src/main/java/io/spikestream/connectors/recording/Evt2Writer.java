package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes Prophesee RAW EVT 2.0 ({@link Evt2Reader} documents the words): a header with
 * {@code % evt 2.0}, {@code % format EVT2;height=H;width=W} and {@code % geometry WxH}, then a
 * TIME_HIGH word whenever timestamp bits 33..6 change and one CD word per event.
 *
 * <p>The EVT 2.0 clock has 34 bits (≈4.8 h). To keep absolute timestamps (e.g. Unix µs) exact,
 * the multiple of 2^34 µs below the first event goes into the header line
 * {@code % spikestream_time_offset_us} (other readers ignore it). Forward gaps longer than 2^32 µs
 * get intermediate TIME_HIGH words so that every wrap stays visible to the reader; timestamps may
 * step back (sensor jitter) by less than 2^32 µs.
 */
public final class Evt2Writer extends AbstractEventWriter {
    private static final long STEP_HIGH = 1L << 26;
    private static final long MAX_BACK_US = 1L << 32;
    /** Bounds the filler words one gap may need (a gap of 2^24 · 2^32 µs is not a recording). */
    private static final long MAX_FILLERS = 1 << 24;

    private boolean headerWritten;
    private long offset;
    private long high = -1;
    private long lastRel = Long.MIN_VALUE;

    public Evt2Writer(Path file, OutputStream out, SensorGeometry geometry) throws IOException {
        super(file, out, geometry);
        if (geometry.width() > 2048 || geometry.height() > 2048) {
            throw unrepresentable("EVT 2.0 addresses hold at most 2048×2048 pixels, not " + geometry);
        }
    }

    @Override
    public RecordingFormat format() {
        return RecordingFormat.EVT2;
    }

    private void header(long firstT) throws IOException {
        offset = Math.floorDiv(firstT, 1L << 34) << 34;
        StringBuilder h = new StringBuilder();
        h.append("% evt 2.0\n");
        h.append("% format EVT2;height=").append(geometry.height()).append(";width=").append(geometry.width()).append('\n');
        h.append("% geometry ").append(geometry.width()).append('x').append(geometry.height()).append('\n');
        if (offset != 0) {
            h.append(RawHeader.TIME_OFFSET_KEY).append(' ').append(offset).append('\n');
        }
        h.append("% end\n");
        put(h.toString().getBytes(StandardCharsets.US_ASCII));
        headerWritten = true;
    }

    @Override
    public void write(EventBatch b) throws IOException {
        int n = b.size();
        if (n == 0) {
            return;
        }
        if (!headerWritten) {
            header(b.t(0));
        }
        long[] ts = b.ts();
        short[] xs = b.xs();
        short[] ys = b.ys();
        byte[] ps = b.ps();
        for (int i = 0; i < n; i++) {
            checkInside(b, i);
            long rel = ts[i] - offset;
            if (rel < 0 || (lastRel != Long.MIN_VALUE && rel < lastRel - MAX_BACK_US)) {
                throw unrepresentable("event " + (eventsWritten + i) + " at t=" + ts[i]
                        + " µs steps back too far (more than 2^32 µs, or before the file's 2^34 µs epoch)");
            }
            long h = rel >>> 6;
            if (h != high) {
                timeHigh(h);
            }
            lastRel = rel;
            ensure(4);
            int w = ((ps[i] & 1) << 28) | ((int) (rel & 0x3F) << 22) | (xs[i] << 11) | ys[i];
            LittleEndian.putI32(buf, len, w);
            len += 4;
        }
        eventsWritten += n;
    }

    private void timeHigh(long h) throws IOException {
        if (high >= 0 && h - high > STEP_HIGH) {
            if ((h - high) / STEP_HIGH > MAX_FILLERS) {
                throw unrepresentable("a gap of " + ((h - high) << 6) + " µs between events");
            }
            while (h - high > STEP_HIGH) {
                high += STEP_HIGH;
                word(high);
            }
        }
        high = h;
        word(h);
    }

    private void word(long h) throws IOException {
        ensure(4);
        LittleEndian.putI32(buf, len, (0x8 << 28) | (int) (h & 0x0FFFFFFF));
        len += 4;
    }

    @Override
    protected void finish() throws IOException {
        if (!headerWritten) {
            header(0);
        }
    }
}
