package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * N-MNIST / N-Caltech101 {@code .bin} (Orchard et al., ATIS): no header, 40-bit events of 5 bytes:
 * byte 0 x, byte 1 y, byte 2 bit 7 polarity (1 = ON), then a 23-bit big-endian timestamp in µs
 * (byte 2 bits 6..0, bytes 3 and 4). An event with y = 240 is a timestamp-overflow marker, not an
 * event: it adds 2^13 µs to every later timestamp (as the dataset's own Read_Ndataset.m does).
 *
 * <p>The saccade recordings already use origin top-left with y down; coordinates are kept. The
 * format stores no geometry: a file whose events all lie in 34×34 is N-MNIST, anything wider is
 * taken as the 304×240 ATIS array of N-Caltech101 (decided by a first streaming pass when
 * reading a file by path). Events outside the sensor are skipped and counted.
 */
public final class NmnistReader extends AbstractEventReader {
    static final int EVENT_BYTES = 5;
    static final int OVERFLOW_Y = 240;
    static final long OVERFLOW_US = 1 << 13;
    public static final SensorGeometry NMNIST = new SensorGeometry(34, 34);
    public static final SensorGeometry ATIS = new SensorGeometry(304, 240);

    private long base;
    private long overflowMarkers;

    /** Opens a file, choosing N-MNIST or ATIS geometry from a first pass over its coordinates. */
    public NmnistReader(Path file) throws IOException {
        this(file, Files.newInputStream(file), scanGeometry(file));
    }

    /** Reads from any stream with a known geometry; {@code name} appears in error messages. */
    public NmnistReader(Path name, InputStream stream, SensorGeometry geometry) {
        super(new ChunkedInput(name, stream));
        this.geometry = geometry;
    }

    /** 34×34 when every event of the file fits in it, else the ATIS 304×240 array. */
    static SensorGeometry scanGeometry(Path file) throws IOException {
        try (ChunkedInput in = new ChunkedInput(file, Files.newInputStream(file))) {
            while (in.fill(EVENT_BYTES) >= EVENT_BYTES) {
                int end = in.pos + (in.available() / EVENT_BYTES) * EVENT_BYTES;
                for (int p = in.pos; p < end; p += EVENT_BYTES) {
                    int x = in.buf[p] & 0xFF;
                    int y = in.buf[p + 1] & 0xFF;
                    if (y != OVERFLOW_Y && (x >= NMNIST.width() || y >= NMNIST.height())) {
                        return ATIS;
                    }
                }
                in.pos = end;
            }
        }
        return NMNIST;
    }

    @Override
    public RecordingFormat format() {
        return RecordingFormat.NMNIST;
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
        int width = geometry.width();
        int height = geometry.height();
        int n = 0;
        while (n < maxEvents && !cut()) {
            int avail;
            try {
                avail = in.availableRecords(EVENT_BYTES, "40-bit event");
            } catch (TruncatedInput e) {
                // with its y byte present, the cut record shows whether it was an event or a marker
                Long lost = in.available() < 2 ? null : (in.buf[in.pos + 1] & 0xFF) == OVERFLOW_Y ? 0L : 1L;
                truncation = e.truncation(lost);
                break;
            }
            if (avail == 0) {
                break;
            }
            byte[] b = in.buf;
            int p = in.pos;
            int end = p + EVENT_BYTES * Math.min(avail / EVENT_BYTES, maxEvents - n);
            for (; p < end; p += EVENT_BYTES) {
                int x = b[p] & 0xFF;
                int y = b[p + 1] & 0xFF;
                int b2 = b[p + 2] & 0xFF;
                if (y == OVERFLOW_Y) {
                    base += OVERFLOW_US;
                    overflowMarkers++;
                    continue;
                }
                if (x >= width || y >= height) {
                    skipped++;
                    continue;
                }
                ts[n] = base + (((b2 & 0x7F) << 16) | ((b[p + 3] & 0xFF) << 8) | (b[p + 4] & 0xFF));
                xs[n] = (short) x;
                ys[n] = (short) y;
                ps[n] = (byte) (b2 >>> 7);
                n++;
            }
            in.pos = p;
        }
        batch.setSize(n);
        return n > 0;
    }

    /** Timestamp-overflow markers seen so far. */
    public long overflowMarkers() {
        return overflowMarkers;
    }
}
