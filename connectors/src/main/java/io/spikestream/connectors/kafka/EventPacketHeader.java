package io.spikestream.connectors.kafka;

import io.spikestream.connectors.event.SensorGeometry;

/** The fields of an {@code EventPacket} other than its event columns. */
public record EventPacketHeader(String sensorId, int width, int height, long sequence, long firstTimestampUs, int eventCount) {
    public SensorGeometry geometry() {
        return new SensorGeometry(width, height);
    }
}
