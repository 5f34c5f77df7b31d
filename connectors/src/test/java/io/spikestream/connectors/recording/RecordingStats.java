package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import java.io.IOException;

/** Test-side tally of a whole recording, computed independently of the production summary code. */
final class RecordingStats {
    long events;
    long on;
    long off;
    long tFirst = Long.MIN_VALUE;
    long tLast;
    int maxX;
    int maxY;
    boolean monotonic = true;

    static RecordingStats of(EventReader r) throws IOException {
        RecordingStats s = new RecordingStats();
        EventBatch b = new EventBatch();
        while (r.read(b, 10_000)) {
            for (int i = 0; i < b.size(); i++) {
                if (s.tFirst == Long.MIN_VALUE) {
                    s.tFirst = b.t(i);
                } else if (b.t(i) < s.tLast) {
                    s.monotonic = false;
                }
                s.tLast = b.t(i);
                s.events++;
                if (b.p(i) == 1) {
                    s.on++;
                } else {
                    s.off++;
                }
                s.maxX = Math.max(s.maxX, b.x(i));
                s.maxY = Math.max(s.maxY, b.y(i));
            }
        }
        return s;
    }
}
