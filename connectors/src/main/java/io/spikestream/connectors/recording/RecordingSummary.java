package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.util.Optional;

/**
 * What {@code spikestream info} reports about a recording, gathered in one streaming pass.
 *
 * @param tFirstUs timestamp of the first event (0 when there is none)
 * @param tLastUs timestamp of the last event (0 when there is none)
 * @param skipped events the reader skipped as invalid
 * @param truncation where the recording was cut short, if it was; the other fields then describe
 *     the events read before the cut
 */
public record RecordingSummary(RecordingFormat format, SensorGeometry geometry, long events, long on, long off,
        long tFirstUs, long tLastUs, long skipped, Optional<Truncation> truncation) {

    public long durationUs() {
        return tLastUs - tFirstUs;
    }

    /** Reads the reader to its end (it is not closed). */
    public static RecordingSummary scan(EventReader reader) throws IOException {
        EventBatch b = new EventBatch(1 << 16);
        long events = 0;
        long on = 0;
        long first = 0;
        long last = 0;
        while (reader.read(b, 1 << 16)) {
            int n = b.size();
            if (events == 0) {
                first = b.t(0);
            }
            last = b.t(n - 1);
            byte[] ps = b.ps();
            int ones = 0;
            for (int i = 0; i < n; i++) {
                ones += ps[i];
            }
            on += ones;
            events += n;
        }
        return new RecordingSummary(reader.format(), reader.geometry(), events, on, events - on, first, last,
                reader.skipped(), reader.truncation());
    }
}
