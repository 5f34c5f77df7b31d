package io.spikestream.connectors.kafka;

import io.spikestream.schemas.DeadLetter;

/**
 * Kafka value deserializer for {@link DeadLetter} (plain Avro binary); usable by class name in consumer
 * configs. Bad bytes: see {@link AvroDeserializer}.
 */
public final class DeadLetterDeserializer extends AvroDeserializer<DeadLetter> {
    public DeadLetterDeserializer() {
        super(DeadLetter.class);
    }
}
