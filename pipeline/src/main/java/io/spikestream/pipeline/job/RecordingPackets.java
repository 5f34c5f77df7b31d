package io.spikestream.pipeline.job;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.Recordings;
import java.nio.file.Path;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * The bounded source's reader: for each {@code sensorId\tpath} it streams the recording as
 * packets of at most {@link #PACKET_EVENTS} events, the same {@link SensorEvents} the Kafka source
 * produces, so the rest of the job is the same for offline evaluation.
 */
public class RecordingPackets extends RichFlatMapFunction<String, SensorEvents> {
    private static final long serialVersionUID = 1L;
    static final int PACKET_EVENTS = 1 << 14;

    /** The element that names one recording for this function. */
    public static String describe(String sensorId, Path file) {
        return sensorId + '\t' + file.toAbsolutePath();
    }

    @Override
    public void flatMap(String entry, Collector<SensorEvents> out) throws Exception {
        int tab = entry.indexOf('\t');
        String sensor = entry.substring(0, tab);
        Path file = Path.of(entry.substring(tab + 1));
        EventBatch batch = new EventBatch(PACKET_EVENTS);
        long sequence = 0;
        try (EventReader reader = Recordings.open(file)) {
            int w = reader.geometry().width();
            int h = reader.geometry().height();
            while (reader.read(batch, PACKET_EVENTS)) {
                SensorEvents e = SensorEvents.of(sensor, w, h, sequence, batch, 0, batch.size());
                e.source = file.toString();
                e.partition = -1;
                e.offset = sequence++;
                out.collect(e);
            }
        }
    }
}
