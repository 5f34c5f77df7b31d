package io.spikestream.pipeline.job;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.kafka.EventPacketHeader;
import io.spikestream.connectors.kafka.EventPacketWire;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns Kafka records of Avro {@code EventPacket}s into {@link SensorEvents}, and never throws:
 * a record that is not a valid packet (garbage bytes, inconsistent columns, impossible geometry)
 * becomes a {@link SensorEvents#bad} carrying the raw bytes and the reason, for the dead letters.
 */
public class PacketDeserializer implements KafkaRecordDeserializationSchema<SensorEvents> {
    private static final long serialVersionUID = 1L;
    private transient EventBatch batch;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SensorEvents> out) {
        out.collect(decode(record.topic(), record.partition(), record.offset(), record.value()));
    }

    /** Decodes one record value; exposed for tests and the bounded sources. */
    public SensorEvents decode(String topic, int partition, long offset, byte[] value) {
        if (batch == null) {
            batch = new EventBatch(1 << 12);
        }
        if (value == null) {
            return SensorEvents.bad(topic, partition, offset, "record without a value", null);
        }
        try {
            // straight from the Avro bytes into columns, validated (no intermediate record)
            EventPacketWire.Decoded d = EventPacketWire.tryDecode(value, batch);
            if (!d.ok()) {
                return SensorEvents.bad(topic, partition, offset, "not a valid EventPacket: " + d.problem(), value);
            }
            EventPacketHeader h = d.header();
            // validated; the events travel on in their compact wire form and are decoded again by the framing
            // operator (decoding is cheaper than copying columns across the shuffle)
            int n = batch.size();
            long newest = Long.MIN_VALUE;
            long[] ts = batch.ts();
            for (int i = 0; i < n; i++) {
                newest = Math.max(newest, ts[i]);
            }
            SensorEvents e = SensorEvents.encoded(h.sensorId(), h.width(), h.height(), h.sequence(), value, n, newest);
            e.source = topic;
            e.partition = partition;
            e.offset = offset;
            return e;
        } catch (RuntimeException e) {
            // the decoders report problems as results; anything else still must not fail the job
            return SensorEvents.bad(topic, partition, offset, "undecodable: " + e, value);
        }
    }

    @Override
    public TypeInformation<SensorEvents> getProducedType() {
        return SensorEventsSerializer.TYPE;
    }
}
