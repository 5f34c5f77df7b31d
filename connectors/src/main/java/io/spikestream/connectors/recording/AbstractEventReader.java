package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;

/** What every reader shares: its byte window, its geometry and the count of skipped events. */
abstract class AbstractEventReader implements EventReader {
    protected final ChunkedInput in;
    protected SensorGeometry geometry;
    protected long skipped;

    protected AbstractEventReader(ChunkedInput in) {
        this.in = in;
    }

    @Override
    public SensorGeometry geometry() {
        return geometry;
    }

    @Override
    public long skipped() {
        return skipped;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /**
     * Events decoded per call at most, whatever the caller asks: batches are sized from this, so a
     * huge request must not allocate huge columns (the contract allows returning fewer).
     */
    static final int MAX_BATCH = 1 << 20;

    /** The effective batch limit for a caller's {@code maxEvents}. */
    static int checkMax(int maxEvents) {
        if (maxEvents <= 0) {
            throw new IllegalArgumentException("maxEvents must be positive: " + maxEvents);
        }
        return Math.min(maxEvents, MAX_BATCH);
    }
}
