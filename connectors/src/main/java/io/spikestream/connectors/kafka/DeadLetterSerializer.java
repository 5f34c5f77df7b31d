package io.spikestream.connectors.kafka;

import io.spikestream.schemas.DeadLetter;

/** Kafka value serializer for {@link DeadLetter} (plain Avro binary); usable by class name in producer configs. */
public final class DeadLetterSerializer extends AvroSerializer<DeadLetter> {
    public DeadLetterSerializer() {
        super(DeadLetter.class);
    }
}
