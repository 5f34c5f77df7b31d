package io.spikestream.connectors.kafka;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serializer writing plain Avro binary of one generated record type (see {@link AvroBinary});
 * a null record becomes a null value (a tombstone). Thread-safe.
 */
public class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {
    private final AvroBinary<T> binary;

    public AvroSerializer(Class<T> type) {
        this.binary = new AvroBinary<>(type);
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        try {
            return binary.encode(data);
        } catch (IllegalArgumentException e) {
            throw new SerializationException("topic " + topic + ": " + e.getMessage(), e);
        }
    }
}
