package io.spikestream.connectors.recording;

import java.nio.file.Path;

/**
 * The input ended inside a header, record, packet or block: thrown by {@link ChunkedInput} and
 * caught by the readers, which keep the events read so far and turn it into a {@link Truncation}.
 * Corruption stays a plain {@link RecordingFormatException}.
 */
final class TruncatedInput extends RecordingFormatException {
    private static final long serialVersionUID = 1L;
    /** Events the cut unit announced that cannot be read; null when unknown. */
    final Long eventsLost;

    TruncatedInput(Path file, long offset, String problem, Long eventsLost) {
        super(file, offset, problem);
        this.eventsLost = eventsLost;
    }

    Truncation truncation() {
        return new Truncation(file(), offset(), eventsLost, problem());
    }

    Truncation truncation(Long lost) {
        return new Truncation(file(), offset(), lost, problem());
    }
}
