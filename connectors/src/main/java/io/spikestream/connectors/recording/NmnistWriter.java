package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Writes N-MNIST {@code .bin} 40-bit events ({@link NmnistReader} documents the layout). The
 * timestamp field holds 23 bits; later times are reached with overflow markers (y = 240), each
 * adding 2^13 µs, emitted as needed. x must fit a byte and y stay below 240; timestamps must not
 * fall below what the markers already added, and one gap may need at most 2^20 markers.
 */
public final class NmnistWriter extends AbstractEventWriter {
    private static final long TS_LIMIT = 1L << 23;
    private static final long MAX_MARKERS_PER_GAP = 1 << 20;

    private long base;

    public NmnistWriter(Path file, OutputStream out, SensorGeometry geometry) throws IOException {
        super(file, out, geometry);
        if (geometry.width() > 256 || geometry.height() > NmnistReader.OVERFLOW_Y) {
            throw unrepresentable("N-MNIST events hold x < 256 and y < 240, not a " + geometry + " sensor");
        }
    }

    @Override
    public RecordingFormat format() {
        return RecordingFormat.NMNIST;
    }

    @Override
    public void write(EventBatch b) throws IOException {
        int n = b.size();
        for (int i = 0; i < n; i++) {
            checkInside(b, i);
            long t = b.t(i);
            if (t < base) {
                throw unrepresentable("event " + (eventsWritten + i) + " at t=" + t
                        + " µs lies before the " + base + " µs already reached by overflow markers");
            }
            if (t - base >= TS_LIMIT) {
                long markers = (t - base - TS_LIMIT) / NmnistReader.OVERFLOW_US + 1;
                if (markers > MAX_MARKERS_PER_GAP) {
                    throw unrepresentable("event " + (eventsWritten + i) + " at t=" + t + " µs would need " + markers
                            + " overflow markers");
                }
                for (long k = 0; k < markers; k++) {
                    ensure(5);
                    buf[len] = 0;
                    buf[len + 1] = (byte) NmnistReader.OVERFLOW_Y;
                    buf[len + 2] = 0;
                    buf[len + 3] = 0;
                    buf[len + 4] = 0;
                    len += 5;
                }
                base += markers * NmnistReader.OVERFLOW_US;
            }
            int ts = (int) (t - base);
            ensure(5);
            buf[len] = (byte) b.x(i);
            buf[len + 1] = (byte) b.y(i);
            buf[len + 2] = (byte) ((b.p(i) << 7) | (ts >>> 16));
            buf[len + 3] = (byte) (ts >>> 8);
            buf[len + 4] = (byte) ts;
            len += 5;
        }
        eventsWritten += n;
    }
}
