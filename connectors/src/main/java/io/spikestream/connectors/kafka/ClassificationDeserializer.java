package io.spikestream.connectors.kafka;

import io.spikestream.schemas.Classification;

/**
 * Kafka value deserializer for {@link Classification} (plain Avro binary); usable by class name in consumer
 * configs. Bad bytes: see {@link AvroDeserializer}.
 */
public final class ClassificationDeserializer extends AvroDeserializer<Classification> {
    public ClassificationDeserializer() {
        super(Classification.class);
    }
}
