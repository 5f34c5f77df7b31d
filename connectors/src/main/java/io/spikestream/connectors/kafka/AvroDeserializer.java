package io.spikestream.connectors.kafka;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer reading plain Avro binary of one generated record type (see {@link AvroBinary}).
 *
 * <p>On bytes that are not a valid record it throws a {@link SerializationException} naming the
 * topic, the byte offset and the field; it never allocates more than the input size and never
 * loops. A {@code KafkaConsumer} turns that into a
 * {@code org.apache.kafka.common.errors.RecordDeserializationException} carrying the partition,
 * offset and raw bytes, without advancing past the record: the poll loop catches it, records a
 * {@link io.spikestream.schemas.DeadLetter} (see {@link DeadLetters#of(org.apache.kafka.common.errors.RecordDeserializationException)})
 * and seeks to the next offset, so one bad record neither kills the loop nor disappears unnoticed.
 * Code that must not see exceptions at all (Flink deserialization schemas) calls
 * {@link #tryDeserialize} instead. A null value (tombstone) deserializes to null.
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    private final AvroBinary<T> binary;

    public AvroDeserializer(Class<T> type) {
        this.binary = new AvroBinary<>(type);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        AvroBinary.Decoded<T> d = binary.tryDecode(data, null);
        if (!d.ok()) {
            throw new SerializationException("topic " + topic + ": " + d.problem());
        }
        return d.value();
    }

    /** Decodes without throwing for bad input: the result holds the record or what was wrong. */
    public AvroBinary.Decoded<T> tryDeserialize(byte[] data) {
        return binary.tryDecode(data, null);
    }
}
