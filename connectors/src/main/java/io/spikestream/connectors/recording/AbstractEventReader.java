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

    static int checkMax(int maxEvents) {
        if (maxEvents <= 0) {
            throw new IllegalArgumentException("maxEvents must be positive: " + maxEvents);
        }
        return maxEvents;
    }
}
