package io.spikestream.pipeline.job;

import io.spikestream.connectors.kafka.AvroBinary;
import io.spikestream.connectors.kafka.KafkaClientSettings;
import io.spikestream.schemas.Classification;
import io.spikestream.schemas.DeadLetter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.function.Function;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Builds the spikestream job: input packets → keyBy(sensor), the only shuffle →
 * {@link FramingOperator} (undecodable records → dead letters) → {@link ClassifierOperator} in the
 * same chain (the stream stays partitioned by sensor, so the classifier's keyed state lines up
 * without a second shuffle) → classifications, plus the dead-letter stream. Sources and sinks are separate so that commands
 * and tests compose the job they need (Kafka or recordings in; Kafka, collect or print out).
 */
public final class SpikestreamJob {
    private SpikestreamJob() {
    }

    /**
     * The job's streams.
     *
     * @param windows framed windows (what the classifier consumes)
     * @param classifications one per window, or null when the model is off
     * @param deadLetters undecodable records, late and out-of-bounds events
     */
    public record Streams(DataStream<FramedWindow> windows, DataStream<ClassificationResult> classifications,
                          DataStream<DeadLetterRecord> deadLetters) {}

    /**
     * Consumer settings of the source that the throughput depends on (measured with
     * {@code bench pipeline}, see docs/BENCHMARKS.md); a user's own Kafka properties come after
     * these and win.
     */
    public static final java.util.Map<String, String> SOURCE_TUNING = java.util.Map.of(
            // packets are 5-50 kB: the default 1 MiB per partition and fetch is only 20-200 packets. A partition's
            // next fetch leaves only once its last one is consumed, so each round trip should carry a lot:
            // 16 MiB drained the topic faster than 1 or 4 MiB (docs/BENCHMARKS.md, settings); fetch.max.bytes
            // (50 MiB by default) still bounds a fetch over many partitions
            "max.partition.fetch.bytes", String.valueOf(16 << 20));

    /** Packets from a Kafka topic of Avro EventPackets, with per-partition watermarks and idleness. */
    public static DataStream<SensorEvents> kafkaInput(StreamExecutionEnvironment env, String bootstrapServers, String topic,
                                                      String groupId, OffsetsInitializer start, JobConfig config) {
        return kafkaInput(env, bootstrapServers, topic, groupId, start, null, config);
    }

    /**
     * As above; with {@code stopAt} non-null the source is bounded (reads up to those offsets and
     * finishes), for evaluation runs and tests.
     */
    public static DataStream<SensorEvents> kafkaInput(StreamExecutionEnvironment env, String bootstrapServers, String topic,
                                                      String groupId, OffsetsInitializer start, OffsetsInitializer stopAt,
                                                      JobConfig config) {
        return kafkaInput(env, bootstrapServers, topic, groupId, start, stopAt, config, KafkaClientSettings.NONE);
    }

    /**
     * As above with the user's Kafka client settings (security, tuning) for the source's consumers
     * and admin client. They replace the source's defaults, except what the job relies on:
     * {@code bootstrapServers}, the group, the deserializers and {@code read_committed}.
     */
    public static DataStream<SensorEvents> kafkaInput(StreamExecutionEnvironment env, String bootstrapServers, String topic,
                                                      String groupId, OffsetsInitializer start, OffsetsInitializer stopAt,
                                                      JobConfig config, KafkaClientSettings kafka) {
        // the product's tuning first, so that the user's settings replace it
        var builder = KafkaSource.<SensorEvents>builder()
                .setProperty("partition.discovery.interval.ms", stopAt == null ? "10000" : "-1")
                .setProperties(properties(SOURCE_TUNING))
                .setProperties(kafka.applyTo(new Properties()))
                .setBootstrapServers(bootstrapServers)
                .setTopics(topic)
                .setGroupId(groupId)
                .setStartingOffsets(start)
                .setDeserializer(new PacketDeserializer())
                .setProperty("isolation.level", "read_committed");
        if (stopAt != null) {
            builder.setBounded(stopAt);
        }
        KafkaSource<SensorEvents> source = builder.build();
        // no idleness on a bounded read: once one partition has finished (its watermark is the maximum),
        // a stalled other partition marked idle would let the maximum through and close every window early
        long idle = stopAt == null ? config.sourceIdleMs() : 0;
        // a fixed uid keeps the source's offsets restorable from a savepoint across job versions
        return env.fromSource(source, PacketWatermarks.strategy(config.outOfOrdernessUs(), idle), "events:" + topic)
                .uid("kafka-source");
    }

    /**
     * A bounded source over recordings (any format {@code Recordings.open} reads), one sensor per
     * recording: for offline evaluation with exactly the streaming job's framing and classifier.
     * Each sensor's windows close on its own clock; the end of input closes the rest.
     *
     * @param recordings sensor id → recording file
     */
    public static DataStream<SensorEvents> recordingInput(StreamExecutionEnvironment env,
                                                          java.util.Map<String, java.nio.file.Path> recordings) {
        java.util.List<String> entries = new java.util.ArrayList<>();
        recordings.forEach((sensor, file) -> entries.add(RecordingPackets.describe(sensor, file)));
        return env.fromData(entries).name("recordings").uid("recordings")
                .rebalance()
                .flatMap(new RecordingPackets()).name("read recordings").uid("read-recordings")
                .returns(SensorEventsSerializer.TYPE);
    }

    /**
     * The job on {@code input}.
     *
     * @param models loads the model on each task manager (serializable); unused when the config has no model
     */
    public static Streams build(DataStream<SensorEvents> input, JobConfig config,
                                SerializableFunction<JobConfig, WindowModel> models) {
        // short network buffer timeouts: Flink's default (100 ms) would add up to 100 ms per shuffle to
        // the latency; packets and windows are large, so buffers mostly fill before the timeout anyway
        if (input instanceof SingleOutputStreamOperator<SensorEvents> source) {
            source.setBufferTimeout(10); // the shuffle's sending side (kafkaInput and recordingInput are operators)
        }
        SingleOutputStreamOperator<FramedWindow> windows = input
                .keyBy(e -> e.sensorId, Types.STRING)
                .transform("framing", FramedWindowSerializer.TYPE, new FramingOperator(config)).uid("framing")
                .setBufferTimeout(2);
        DataStream<DeadLetterRecord> dead = windows.getSideOutput(FramingOperator.DEAD_LETTERS);
        DataStream<ClassificationResult> classifications = null;
        if (config.modelPath() != null) {
            // forward, chained: the windows of a sensor are already on the subtask that owns its key group
            classifications = DataStreamUtils.reinterpretAsKeyedStream(windows, w -> w.sensorId, Types.STRING)
                    .transform("classifier", Types.POJO(ClassificationResult.class), new ClassifierOperator(config, models))
                    .uid("classifier");
        }
        return new Streams(windows, classifications, dead);
    }

    private static java.util.Properties properties(java.util.Map<String, String> m) {
        java.util.Properties p = new java.util.Properties();
        p.putAll(m);
        return p;
    }

    /** A function that Flink can ship to the task managers. */
    public interface SerializableFunction<T, R> extends Function<T, R>, java.io.Serializable {}

    /**
     * Avro {@code Classification}s to Kafka, keyed by sensor. With EXACTLY_ONCE the records are
     * written in transactions committed at checkpoints: read them with {@code isolation.level=read_committed}.
     */
    public static KafkaSink<ClassificationResult> classificationSink(String bootstrapServers, String topic,
                                                                     DeliveryGuarantee guarantee, String transactionalIdPrefix) {
        return classificationSink(bootstrapServers, topic, guarantee, transactionalIdPrefix, KafkaClientSettings.NONE);
    }

    /** As above with the user's Kafka client settings (security, tuning) for the sink's producers. */
    public static KafkaSink<ClassificationResult> classificationSink(String bootstrapServers, String topic, DeliveryGuarantee guarantee,
                                                                     String transactionalIdPrefix, KafkaClientSettings kafka) {
        return KafkaSink.<ClassificationResult>builder()
                .setKafkaProducerConfig(producerConfig(kafka))
                .setBootstrapServers(bootstrapServers)
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setRecordSerializer(new ClassificationRecords(topic))
                .build();
    }

    /** The sinks' producer settings: a 15-minute transaction timeout (a managed cluster's usual maximum) unless the user sets one. */
    private static Properties producerConfig(KafkaClientSettings kafka) {
        Properties p = new Properties();
        p.setProperty("transaction.timeout.ms", "900000");
        return kafka.applyTo(p);
    }

    /** Avro {@code DeadLetter}s to Kafka, keyed by source. */
    public static KafkaSink<DeadLetterRecord> deadLetterSink(String bootstrapServers, String topic,
                                                             DeliveryGuarantee guarantee, String transactionalIdPrefix) {
        return deadLetterSink(bootstrapServers, topic, guarantee, transactionalIdPrefix, KafkaClientSettings.NONE);
    }

    /** As above with the user's Kafka client settings (security, tuning) for the sink's producers. */
    public static KafkaSink<DeadLetterRecord> deadLetterSink(String bootstrapServers, String topic, DeliveryGuarantee guarantee,
                                                             String transactionalIdPrefix, KafkaClientSettings kafka) {
        return KafkaSink.<DeadLetterRecord>builder()
                .setKafkaProducerConfig(producerConfig(kafka))
                .setBootstrapServers(bootstrapServers)
                .setDeliveryGuarantee(guarantee)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setRecordSerializer(new DeadLetterRecords(topic))
                .build();
    }

    static final class ClassificationRecords implements KafkaRecordSerializationSchema<ClassificationResult> {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private transient AvroBinary<Classification> avro;

        ClassificationRecords(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(ClassificationResult c, KafkaSinkContext ctx, Long timestamp) {
            if (avro == null) {
                avro = new AvroBinary<>(Classification.class);
            }
            return new ProducerRecord<>(topic, c.sensorId.getBytes(StandardCharsets.UTF_8), avro.encode(c.toAvro()));
        }
    }

    static final class DeadLetterRecords implements KafkaRecordSerializationSchema<DeadLetterRecord> {
        private static final long serialVersionUID = 1L;
        private final String topic;
        private transient AvroBinary<DeadLetter> avro;

        DeadLetterRecords(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(DeadLetterRecord d, KafkaSinkContext ctx, Long timestamp) {
            if (avro == null) {
                avro = new AvroBinary<>(DeadLetter.class);
            }
            DeadLetter letter = DeadLetter.newBuilder()
                    .setSource(d.source == null ? "" : d.source)
                    .setPartition(d.partition)
                    .setOffset(d.offset)
                    .setReason(d.reason)
                    .setPayload(ByteBuffer.wrap(d.payload == null ? new byte[0] : d.payload))
                    .setTimeMs(d.timeMs)
                    .build();
            byte[] key = (d.source == null ? "" : d.source).getBytes(StandardCharsets.UTF_8);
            return new ProducerRecord<>(topic, key, avro.encode(letter));
        }
    }
}
