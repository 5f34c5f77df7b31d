package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/** Output buffering and argument checks shared by the writers; encoders fill {@link #buf}. */
abstract class AbstractEventWriter implements EventWriter {
    protected final Path file;
    protected final SensorGeometry geometry;
    private final OutputStream out;
    protected byte[] buf = new byte[1 << 16];
    protected int len;
    protected long eventsWritten;
    private boolean closed;

    protected AbstractEventWriter(Path file, OutputStream out, SensorGeometry geometry) {
        this.file = file;
        this.out = out;
        this.geometry = geometry;
    }

    /** Makes room for {@code n} more bytes in {@link #buf}, flushing it first when needed. */
    protected final void ensure(int n) throws IOException {
        if (len + n > buf.length) {
            flushBuffer();
            if (n > buf.length) {
                buf = new byte[n];
            }
        }
    }

    protected final void flushBuffer() throws IOException {
        out.write(buf, 0, len);
        len = 0;
    }

    protected final void put(byte[] bytes) throws IOException {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    /** Fails unless event {@code i} lies inside the writer's sensor. */
    protected final void checkInside(EventBatch b, int i) throws IOException {
        if (!geometry.contains(b.x(i), b.y(i))) {
            throw new IOException(file + ": event " + (eventsWritten + i) + " at (" + b.x(i) + ", " + b.y(i)
                    + ") lies outside the " + geometry + " sensor");
        }
    }

    protected final IOException unrepresentable(String what) {
        return new IOException(file + ": cannot write " + format().id() + ": " + what);
    }

    /** Writes whatever the format needs after the last event (called once, before closing). */
    protected void finish() throws IOException {}

    @Override
    public final void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            finish();
            flushBuffer();
        } finally {
            out.close();
        }
    }
}
