package io.spikestream.connectors.kafka;

import io.spikestream.schemas.EventPacket;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Kafka value serializer for {@link EventPacket} (plain Avro binary); usable by class name in
 * producer configs. Writes the same bytes as Avro's {@code SpecificDatumWriter} (a test checks it)
 * through {@link EventPacketWire#write}, which copies each column once into an exact-size array.
 */
public final class EventPacketSerializer extends AvroSerializer<EventPacket> {
    public EventPacketSerializer() {
        super(EventPacket.class);
    }

    @Override
    public byte[] serialize(String topic, EventPacket data) {
        if (data == null) {
            return null;
        }
        try {
            return EventPacketWire.write(data);
        } catch (RuntimeException e) {
            throw new SerializationException("topic " + topic + ": cannot encode EventPacket: " + e, e);
        }
    }
}
