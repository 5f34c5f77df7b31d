package io.spikestream.pipeline.framing;

/** Why the framer set an event aside instead of binning it. */
public enum Reject {
    /** Its bin belongs to a window that was already emitted. */
    LATE,
    /** Coordinates outside the sensor geometry, or a polarity other than 0/1. */
    OUT_OF_BOUNDS,
    /** So far ahead of the closed windows that binning it would exceed the framer's memory bound. */
    TOO_FAR_AHEAD;

    /** Receives the events the framer sets aside (for dead-lettering). */
    @FunctionalInterface
    public interface Sink {
        void reject(Reject reason, long t, int x, int y, int p);
    }
}
