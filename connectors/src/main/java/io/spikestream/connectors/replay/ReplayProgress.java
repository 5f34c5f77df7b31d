package io.spikestream.connectors.replay;

/**
 * Where a running replay stands, for progress displays.
 *
 * @param events events handed to the producer so far
 * @param packets packets handed to the producer so far
 * @param ackedBytes serialized key and value bytes the broker has acknowledged
 * @param eventTimeUs event time replayed so far, µs since each recording's first event (the furthest sensor)
 * @param elapsedNanos wall time since the replay started
 * @param lagMs how far the last packet was sent behind its schedule (0 at max speed)
 */
public record ReplayProgress(long events, long packets, long ackedBytes, long eventTimeUs, long elapsedNanos, double lagMs) {
    /** Events per second of wall time so far. */
    public double eventsPerSecond() {
        return elapsedNanos <= 0 ? 0 : events * 1e9 / elapsedNanos;
    }
}
