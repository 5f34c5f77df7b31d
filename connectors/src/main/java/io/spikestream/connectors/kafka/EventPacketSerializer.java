package io.spikestream.connectors.kafka;

import io.spikestream.schemas.EventPacket;

/** Kafka value serializer for {@link EventPacket} (plain Avro binary); usable by class name in producer configs. */
public final class EventPacketSerializer extends AvroSerializer<EventPacket> {
    public EventPacketSerializer() {
        super(EventPacket.class);
    }
}
