package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import java.io.Closeable;
import java.io.IOException;

/**
 * Writes event batches to a recording file, in order; {@link #close()} completes the file. Every
 * writer's output reads back through {@link Recordings#open} as exactly the events written.
 */
public interface EventWriter extends Closeable {

    /** Appends the batch's events; fails when an event cannot be represented in the format. */
    void write(EventBatch b) throws IOException;

    RecordingFormat format();
}
