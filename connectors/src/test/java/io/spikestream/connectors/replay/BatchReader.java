package io.spikestream.connectors.replay;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.RecordingFormat;

/** A recording held in memory, handed out in chunks of a fixed size (to exercise chunk boundaries). */
final class BatchReader implements EventReader {
    private final EventBatch events;
    private final SensorGeometry geometry;
    private final int chunk;
    private int next;

    BatchReader(EventBatch events, SensorGeometry geometry, int chunk) {
        this.events = events;
        this.geometry = geometry;
        this.chunk = chunk;
    }

    @Override
    public RecordingFormat format() {
        return RecordingFormat.CSV;
    }

    @Override
    public SensorGeometry geometry() {
        return geometry;
    }

    @Override
    public boolean read(EventBatch batch, int maxEvents) {
        batch.clear();
        int n = Math.min(Math.min(chunk, maxEvents), events.size() - next);
        batch.addAll(events, next, next + n);
        next += n;
        return n > 0;
    }

    @Override
    public long skipped() {
        return 0;
    }

    @Override
    public void close() {
    }
}
