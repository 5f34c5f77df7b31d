package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;

/**
 * Streams the events of one recording in bounded batches, in file order, never holding the whole
 * recording in memory.
 */
public interface EventReader extends Closeable {

    RecordingFormat format();

    SensorGeometry geometry();

    /**
     * Clears {@code batch} and fills it with the next events (at most about {@code maxEvents}).
     *
     * @return false when the recording is exhausted and {@code batch} is empty
     * @throws RecordingFormatException for input that cannot be decoded, naming file and byte offset;
     *     a recording that merely ends early is not an error (see {@link #truncation()})
     */
    boolean read(EventBatch batch, int maxEvents) throws IOException;

    /** Events skipped so far because they were invalid but the format allowed resynchronising. */
    long skipped();

    /**
     * Where the recording was cut short, once {@link #read} has returned false (or from the start,
     * for a file cut inside its header); empty for a whole recording. The events before the cut
     * were all delivered.
     */
    default Optional<Truncation> truncation() {
        return Optional.empty();
    }
}
