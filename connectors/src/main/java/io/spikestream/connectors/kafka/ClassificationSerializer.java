package io.spikestream.connectors.kafka;

import io.spikestream.schemas.Classification;

/** Kafka value serializer for {@link Classification} (plain Avro binary); usable by class name in producer configs. */
public final class ClassificationSerializer extends AvroSerializer<Classification> {
    public ClassificationSerializer() {
        super(Classification.class);
    }
}
