package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.util.Random;

/** Event sequences for round-trip tests and helpers to read a recording back whole. */
final class TestEvents {
    private TestEvents() {}

    /** {@code n} events from {@code t0}, inter-event gaps up to {@code maxGap} µs, uniform pixels and polarity. */
    static EventBatch random(long seed, int n, long t0, int maxGap, SensorGeometry g) {
        Random r = new Random(seed);
        EventBatch b = new EventBatch(n);
        long t = t0;
        for (int i = 0; i < n; i++) {
            t += r.nextInt(maxGap + 1);
            b.add(t, r.nextInt(g.width()), r.nextInt(g.height()), r.nextInt(2));
        }
        return b;
    }

    static EventBatch readAll(EventReader r, int batchSize) throws IOException {
        EventBatch all = new EventBatch();
        EventBatch b = new EventBatch(batchSize);
        while (r.read(b, batchSize)) {
            all.addAll(b, 0, b.size());
        }
        return all;
    }

    static String describeFirstDifference(EventBatch a, EventBatch b) {
        if (a.size() != b.size()) {
            return "sizes " + a.size() + " vs " + b.size();
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.t(i) != b.t(i) || a.x(i) != b.x(i) || a.y(i) != b.y(i) || a.p(i) != b.p(i)) {
                return "event " + i + ": (" + a.t(i) + "," + a.x(i) + "," + a.y(i) + "," + a.p(i) + ") vs ("
                        + b.t(i) + "," + b.x(i) + "," + b.y(i) + "," + b.p(i) + ")";
            }
        }
        return "equal";
    }
}
