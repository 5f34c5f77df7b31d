package io.spikestream.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.DeadLetterDeserializer;
import io.spikestream.connectors.kafka.LocalKafkaBroker;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.framing.Window;
import io.spikestream.schemas.DeadLetter;
import io.spikestream.schemas.EventPacket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The framing half of the job through the real path: Kafka broker in-process, Flink MiniCluster. */
class FramingJobTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static LocalKafkaBroker kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = LocalKafkaBroker.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    static final SensorGeometry G = new SensorGeometry(34, 26);
    static final FramingSpec SPEC = new FramingSpec(2_000, 4, 4, 8, 8, G, 0, FramingSpec.Fit.LETTERBOX, false, false, 0);

    @Test
    void framesFromKafkaEqualOfflineFramingAndBadInputIsDeadLetteredWithoutStoppingTheJob() throws Exception {
        String topic = "framing-events";
        String dead = "framing-dead";
        TestPackets.createTopic(kafka, topic, 2);
        TestPackets.createTopic(kafka, dead, 1);
        Map<String, EventBatch> sent = new HashMap<>();
        try (KafkaProducer<String, EventPacket> producer = TestPackets.producer(kafka.bootstrapServers());
             KafkaProducer<String, byte[]> raw = TestPackets.rawProducer(kafka.bootstrapServers())) {
            for (int s = 0; s < 3; s++) {
                String sensor = "cam-" + s;
                EventBatch events = TestPackets.events(s, G, 30_000, 20, 5_000_000L * s);
                sent.put(sensor, events);
                long seq = TestPackets.publish(producer, topic, sensor, G, events, 700, 0);
                if (s == 0) {
                    producer.flush();
                    raw.send(new ProducerRecord<>(topic, sensor, "not avro at all".getBytes(StandardCharsets.UTF_8)));
                    raw.flush();
                    // five events from the first window, long after it closed
                    EventBatch late = new EventBatch();
                    for (int i = 0; i < 5; i++) {
                        late.add(events.t(i), 1, 1, 1);
                    }
                    TestPackets.publish(producer, topic, sensor, G, late, 700, seq);
                    producer.flush();
                    // and the stream goes on: these must still be framed
                    EventBatch more = TestPackets.events(99, G, 5_000, 20, events.t(events.size() - 1) + 1_000);
                    TestPackets.publish(producer, topic, sensor, G, more, 700, seq + 1);
                    events.addAll(more, 0, more.size());
                }
            }
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        // a long quiet flush: a stall of the loaded test machine must not close windows early
        JobConfig config = JobConfig.defaults(SPEC, null).withOutOfOrderness(10_000).withQuietFlush(120_000);
        var input = SpikestreamJob.kafkaInput(env, kafka.bootstrapServers(), topic, "framing-test",
                OffsetsInitializer.earliest(), OffsetsInitializer.latest(), config);
        SpikestreamJob.Streams job = SpikestreamJob.build(input, config, null);
        job.deadLetters().sinkTo(SpikestreamJob.deadLetterSink(kafka.bootstrapServers(), dead,
                DeliveryGuarantee.AT_LEAST_ONCE, "framing-test-dl"));

        Map<String, List<Window>> framed = new HashMap<>();
        try (CloseableIterator<FramedWindow> it = job.windows().executeAndCollect("framing-test")) {
            it.forEachRemaining(w -> framed.computeIfAbsent(w.sensorId, k -> new ArrayList<>()).add(w.window()));
        }

        for (Map.Entry<String, EventBatch> e : sent.entrySet()) {
            List<Window> offline = Framer.frames(e.getValue(), SPEC, G, e.getKey());
            List<Window> streamed = framed.get(e.getKey());
            assertEquals(offline.size(), streamed.size(), e.getKey());
            for (int i = 0; i < offline.size(); i++) {
                assertTrue(offline.get(i).sameAs(streamed.get(i)), e.getKey() + " window " + i);
            }
        }

        List<DeadLetter> letters = readAll(dead);
        assertEquals(2, letters.size(), letters.toString());
        assertTrue(letters.stream().anyMatch(d -> d.getReason().toString().startsWith("not a valid EventPacket")), letters.toString());
        assertTrue(letters.stream().anyMatch(d -> d.getReason().toString().startsWith("5 late event(s) from sensor cam-0")),
                letters.toString());
    }

    @Test
    void aSensorThatGoesQuietStillGetsItsLastWindowClosedByWallClock() throws Exception {
        String topic = "quiet-events";
        TestPackets.createTopic(kafka, topic, 1);
        EventBatch events = TestPackets.events(7, G, 3_000, 20, 2_000_000);
        try (KafkaProducer<String, EventPacket> producer = TestPackets.producer(kafka.bootstrapServers())) {
            TestPackets.publish(producer, topic, "quiet-cam", G, events, 500, 0);
        }
        List<Window> offline = Framer.frames(events, SPEC, G, "quiet-cam");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        JobConfig config = JobConfig.defaults(SPEC, null).withOutOfOrderness(10_000).withQuietFlush(1_000);
        // unbounded: no end of input, no other sensor moves time on; only the quiet timer can close the tail
        var input = SpikestreamJob.kafkaInput(env, kafka.bootstrapServers(), topic, "quiet-test",
                OffsetsInitializer.earliest(), config);
        List<Window> got = java.util.Collections.synchronizedList(new ArrayList<>());
        try (CloseableIterator<FramedWindow> it = SpikestreamJob.build(input, config, null).windows()
                .executeAndCollect("quiet-test")) {
            // the source never ends: without a bound a missing window would hang the build; closing
            // the iterator (leaving this block) cancels the job
            assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
                while (got.size() < offline.size() && it.hasNext()) {
                    got.add(it.next().window());
                }
            }, () -> got.size() + " of " + offline.size() + " windows within 90 s: the quiet timer did not close the tail");
        }
        assertEquals(offline.size(), got.size());
        assertTrue(offline.get(offline.size() - 1).sameAs(got.get(got.size() - 1)), "the last window, complete");
    }

    /** Every record of {@code topic}, read after the job has finished: up to its end offsets, without a group. */
    static List<DeadLetter> readAll(String topic) {
        return Collect.topic(kafka.bootstrapServers(), topic, new DeadLetterDeserializer()).stream()
                .map(ConsumerRecord::value).toList();
    }
}
