package io.spikestream.connectors.kafka;

import io.spikestream.schemas.EventPacket;

/**
 * Kafka value deserializer for {@link EventPacket} (plain Avro binary); usable by class name in consumer
 * configs. Bad bytes: see {@link AvroDeserializer}.
 */
public final class EventPacketDeserializer extends AvroDeserializer<EventPacket> {
    public EventPacketDeserializer() {
        super(EventPacket.class);
    }
}
