package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Writes CSV events: the header line {@code t,x,y,p}, then one {@code t,x,y,p} line per event (t in µs). */
public final class CsvEventWriter extends AbstractEventWriter {

    public CsvEventWriter(Path file, OutputStream out, SensorGeometry geometry) throws IOException {
        super(file, out, geometry);
        put((CsvEventReader.HEADER + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public RecordingFormat format() {
        return RecordingFormat.CSV;
    }

    @Override
    public void write(EventBatch b) throws IOException {
        int n = b.size();
        for (int i = 0; i < n; i++) {
            checkInside(b, i);
            ensure(40);
            len = digits(b.t(i), len);
            buf[len++] = ',';
            len = digits(b.x(i), len);
            buf[len++] = ',';
            len = digits(b.y(i), len);
            buf[len++] = ',';
            buf[len++] = (byte) ('0' + b.p(i));
            buf[len++] = '\n';
        }
        eventsWritten += n;
    }

    /** Writes the decimal digits of {@code v} at {@code at}; returns the position after them. */
    private int digits(long v, int at) {
        if (v < 0) {
            buf[at++] = '-';
            if (v == Long.MIN_VALUE) {
                byte[] s = Long.toString(v).substring(1).getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(s, 0, buf, at, s.length);
                return at + s.length;
            }
            v = -v;
        }
        int start = at;
        do {
            buf[at++] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        for (int i = start, j = at - 1; i < j; i++, j--) {
            byte tmp = buf[i];
            buf[i] = buf[j];
            buf[j] = tmp;
        }
        return at;
    }
}
