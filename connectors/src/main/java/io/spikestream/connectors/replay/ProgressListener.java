package io.spikestream.connectors.replay;

/** Receives {@link ReplayProgress} a few times a second and once at the end, on the replaying thread. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = p -> { };

    void onProgress(ReplayProgress progress);
}
