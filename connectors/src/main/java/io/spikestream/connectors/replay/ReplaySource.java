package io.spikestream.connectors.replay;

import io.spikestream.connectors.recording.EventReader;

/** One recording replayed as one sensor: its reader and the sensor id used as the Kafka key. */
public record ReplaySource(String sensorId, EventReader reader) {
    public ReplaySource {
        if (sensorId == null || sensorId.isEmpty()) {
            throw new IllegalArgumentException("a sensor id is required");
        }
        if (reader == null) {
            throw new IllegalArgumentException("no reader for sensor " + sensorId);
        }
    }
}
