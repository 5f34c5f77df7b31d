package io.spikestream.pipeline.bench;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.util.SplittableRandom;

/**
 * Event streams for throughput benchmarks: a blob of activity drifting over the sensor (like a
 * moving hand) at a fixed mean rate, in time order. Not a gesture: only the load matters here.
 */
public final class SyntheticEvents {
    private final SensorGeometry geometry;
    private final SplittableRandom rnd;
    private final double eventsPerUs;
    private double t;
    private double cx;
    private double cy;

    public SyntheticEvents(SensorGeometry geometry, double eventsPerSecond, long seed, long startUs) {
        this.geometry = geometry;
        this.rnd = new SplittableRandom(seed);
        this.eventsPerUs = eventsPerSecond / 1e6;
        this.t = startUs;
        this.cx = geometry.width() / 2.0;
        this.cy = geometry.height() / 2.0;
    }

    /** Clears {@code into} and fills it with the next {@code n} events. */
    public void next(EventBatch into, int n) {
        into.clear();
        into.ensureCapacity(n);
        double spread = Math.max(2, Math.min(geometry.width(), geometry.height()) / 10.0);
        for (int i = 0; i < n; i++) {
            // exponential gaps with the requested mean, accumulated as a real number to keep the rate exact
            t += -Math.log(1 - rnd.nextDouble()) / eventsPerUs;
            if ((i & 255) == 0) {
                cx = clamp(cx + rnd.nextDouble(-1, 1), spread, geometry.width() - spread);
                cy = clamp(cy + rnd.nextDouble(-1, 1), spread, geometry.height() - spread);
            }
            int x = (int) clamp(cx + gaussian() * spread, 0, geometry.width() - 1);
            int y = (int) clamp(cy + gaussian() * spread, 0, geometry.height() - 1);
            into.add((long) t, x, y, rnd.nextInt(2));
        }
    }

    public long nowUs() {
        return (long) t;
    }

    private double gaussian() {
        // sum of uniforms: cheap and bell-shaped enough for a load generator
        return rnd.nextDouble() + rnd.nextDouble() + rnd.nextDouble() - 1.5;
    }

    private static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
