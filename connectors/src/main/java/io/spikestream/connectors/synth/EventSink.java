package io.spikestream.connectors.synth;

import io.spikestream.connectors.event.EventBatch;
import java.io.IOException;

/** Receives a simulated recording's events in time order, chunk by chunk. */
@FunctionalInterface
public interface EventSink {
    /** Consumes a chunk; the batch is cleared and reused after this returns, so copy what you keep. */
    void accept(EventBatch events) throws IOException;
}
