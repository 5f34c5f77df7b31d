package io.spikestream.connectors.kafka;

import io.spikestream.schemas.DeadLetter;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.RecordDeserializationException;

/** Builds {@link DeadLetter} records for input that could not be used. */
public final class DeadLetters {
    private DeadLetters() {}

    /** A dead letter for a record from Kafka (partition and offset) or a file (partition -1, byte offset). */
    public static DeadLetter of(String source, int partition, long offset, String reason, byte[] payload) {
        return DeadLetter.newBuilder()
                .setSource(source)
                .setPartition(partition)
                .setOffset(offset)
                .setReason(reason)
                .setPayload(ByteBuffer.wrap(payload == null ? new byte[0] : payload.clone()))
                .setTimeMs(System.currentTimeMillis())
                .build();
    }

    /** A dead letter for the record a consumer could not deserialize, with its raw value bytes. */
    public static DeadLetter of(RecordDeserializationException e) {
        ByteBuffer value = e.valueBuffer();
        byte[] raw = new byte[value == null ? 0 : value.remaining()];
        if (value != null) {
            value.duplicate().get(raw);
        }
        String reason = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
        return of(e.topicPartition().topic(), e.topicPartition().partition(), e.offset(), reason, raw);
    }
}
