package io.spikestream.connectors.kafka;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.util.Random;

/** Reproducible synthetic events for tests: mostly rising timestamps that sometimes step back a few µs, as real cameras do. */
public final class RandomEvents {
    private RandomEvents() {}

    public static EventBatch of(long seed, int n, SensorGeometry g) {
        return of(seed, n, g, 1_000_000L, 40);
    }

    /** {@code n} events from about {@code startUs}, with gaps of up to {@code maxGapUs} µs. */
    public static EventBatch of(long seed, int n, SensorGeometry g, long startUs, int maxGapUs) {
        Random r = new Random(seed);
        EventBatch b = new EventBatch(n);
        long t = startUs + r.nextInt(1000);
        for (int i = 0; i < n; i++) {
            t += r.nextInt(maxGapUs) - 3;
            b.add(t, r.nextInt(g.width()), r.nextInt(g.height()), r.nextInt(2));
        }
        return b;
    }
}
