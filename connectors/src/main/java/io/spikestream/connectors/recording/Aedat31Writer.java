package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Writes AEDAT 3.1 ({@link Aedat31Reader} documents the layout): the required header lines, then
 * one polarity packet (source 1) per run of events that share the same timestamp overflow
 * ({@code t >>> 31}), at most {@link #MAX_PACKET_EVENTS} events each, every event marked valid.
 * The source line is {@code DVS128} for a 128×128 sensor (as the DVS128 Gesture files have) and
 * {@code spikestream sizeX=W sizeY=H} otherwise. Timestamps must not be negative.
 */
public final class Aedat31Writer extends AbstractEventWriter {
    static final int MAX_PACKET_EVENTS = 1 << 16;
    private static final DateTimeFormatter START = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss '(TZ'Z')'");

    public Aedat31Writer(Path file, OutputStream out, SensorGeometry geometry) throws IOException {
        super(file, out, geometry);
        if (geometry.width() > 32768 || geometry.height() > 32768) {
            throw unrepresentable("AEDAT 3.1 addresses hold at most 32768×32768 pixels, not " + geometry);
        }
        String source = geometry.equals(KnownSensors.DVS128) ? "DVS128"
                : "spikestream sizeX=" + geometry.width() + " sizeY=" + geometry.height();
        String header = Aedat31Reader.VERSION_LINE + "\r\n"
                + "#Format: RAW\r\n"
                + "#Source 1: " + source + "\r\n"
                + "#Start-Time: " + START.format(ZonedDateTime.now()) + "\r\n"
                + Aedat31Reader.END_LINE + "\r\n";
        put(header.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public RecordingFormat format() {
        return RecordingFormat.AEDAT31;
    }

    @Override
    public void write(EventBatch b) throws IOException {
        int n = b.size();
        long[] ts = b.ts();
        short[] xs = b.xs();
        short[] ys = b.ys();
        byte[] ps = b.ps();
        int i = 0;
        while (i < n) {
            if (ts[i] < 0) {
                throw unrepresentable("event " + (eventsWritten + i) + " has a negative timestamp " + ts[i]);
            }
            long overflow = ts[i] >>> 31;
            if (overflow > Integer.MAX_VALUE) {
                throw unrepresentable("timestamp " + ts[i] + " exceeds the 62-bit AEDAT 3.1 clock");
            }
            int j = i + 1;
            int limit = Math.min(n, i + MAX_PACKET_EVENTS);
            while (j < limit && ts[j] >= 0 && (ts[j] >>> 31) == overflow) {
                j++;
            }
            int count = j - i;
            ensure(Aedat31Reader.PACKET_HEADER_BYTES + count * Aedat31Reader.POLARITY_EVENT_BYTES);
            byte[] o = buf;
            int p = len;
            LittleEndian.putI16(o, p, Aedat31Reader.POLARITY_EVENT);
            LittleEndian.putI16(o, p + 2, 1);
            LittleEndian.putI32(o, p + 4, Aedat31Reader.POLARITY_EVENT_BYTES);
            LittleEndian.putI32(o, p + 8, 4);
            LittleEndian.putI32(o, p + 12, (int) overflow);
            LittleEndian.putI32(o, p + 16, count);
            LittleEndian.putI32(o, p + 20, count);
            LittleEndian.putI32(o, p + 24, count);
            p += Aedat31Reader.PACKET_HEADER_BYTES;
            for (int k = i; k < j; k++) {
                checkInside(b, k);
                int data = 1 | ((ps[k] & 1) << 1) | (ys[k] << 2) | (xs[k] << 17);
                LittleEndian.putI32(o, p, data);
                LittleEndian.putI32(o, p + 4, (int) (ts[k] & 0x7FFFFFFFL));
                p += Aedat31Reader.POLARITY_EVENT_BYTES;
            }
            len = p;
            i = j;
        }
        eventsWritten += n;
    }
}
