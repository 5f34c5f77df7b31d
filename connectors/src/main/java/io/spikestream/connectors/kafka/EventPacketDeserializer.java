package io.spikestream.connectors.kafka;

import io.spikestream.schemas.EventPacket;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Kafka value deserializer for {@link EventPacket} (plain Avro binary); usable by class name in
 * consumer configs. Bad bytes: see {@link AvroDeserializer}. Reads through
 * {@link EventPacketWire#read}: the record's columns are views of the record value, not copies
 * (Kafka hands each record its own array), and every length is checked against the input first.
 */
public final class EventPacketDeserializer extends AvroDeserializer<EventPacket> {
    public EventPacketDeserializer() {
        super(EventPacket.class);
    }

    @Override
    public EventPacket deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        AvroBinary.Decoded<EventPacket> d = tryDeserialize(data);
        if (!d.ok()) {
            throw new SerializationException("topic " + topic + ": " + d.problem());
        }
        return d.value();
    }

    @Override
    public AvroBinary.Decoded<EventPacket> tryDeserialize(byte[] data) {
        try {
            return new AvroBinary.Decoded<>(EventPacketWire.read(data), null);
        } catch (InvalidAvroDataException e) {
            return new AvroBinary.Decoded<>(null, e.getMessage());
        }
    }
}
