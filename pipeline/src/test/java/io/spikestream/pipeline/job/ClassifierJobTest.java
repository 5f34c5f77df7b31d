package io.spikestream.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.ClassificationDeserializer;
import io.spikestream.connectors.kafka.LocalKafkaBroker;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.framing.Window;
import io.spikestream.schemas.Classification;
import io.spikestream.schemas.EventPacket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job through the real path (Kafka in-process, Flink MiniCluster, exactly-once sink,
 * read back with read_committed) against the model run offline on the offline frames.
 */
class ClassifierJobTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final SensorGeometry G = new SensorGeometry(34, 26);
    static final FramingSpec SPEC = new FramingSpec(2_000, 4, 4, 8, 8, G, 0, FramingSpec.Fit.LETTERBOX, false, false, 0);
    static final int SENSORS = 3;

    static LocalKafkaBroker kafka;
    @TempDir
    static Path dir;
    static Path model;
    static Map<String, EventBatch> sent = new LinkedHashMap<>();

    @BeforeAll
    static void setUp() throws Exception {
        kafka = LocalKafkaBroker.start();
        model = TestModels.tiny(dir.resolve("tiny.safetensors"), SPEC, 42);
        TestPackets.createTopic(kafka, "cls-events", 2);
        try (KafkaProducer<String, EventPacket> producer = TestPackets.producer(kafka.bootstrapServers())) {
            for (int s = 0; s < SENSORS; s++) {
                String sensor = "cam-" + s;
                EventBatch events = TestPackets.events(100 + s, G, 20_000, 24, 1_000_000L + 3_000L * s);
                sent.put(sensor, events);
                TestPackets.publish(producer, "cls-events", sensor, G, events, 500, 0);
            }
        }
    }

    @AfterAll
    static void tearDown() {
        kafka.close();
    }

    /** The offline truth: frames from the offline framer, classified one window at a time with the state carried. */
    static Map<String, List<WindowModel.Result>> offline(JobConfig config) {
        Map<String, List<WindowModel.Result>> out = new LinkedHashMap<>();
        try (WindowModel m = MsResNetWindowModel.load(config)) {
            for (Map.Entry<String, EventBatch> e : sent.entrySet()) {
                byte[] state = null;
                List<WindowModel.Result> rs = new ArrayList<>();
                for (Window w : Framer.frames(e.getValue(), SPEC, G, e.getKey())) {
                    WindowModel.Result r = m.forward(List.of(w.frames()), w.bins(), w.height(), w.width(),
                            java.util.Collections.singletonList(state)).get(0);
                    state = r.state();
                    rs.add(r);
                }
                out.put(e.getKey(), rs);
            }
        }
        return out;
    }

    static JobConfig config() {
        // a long quiet flush: wall-clock pauses (restarts, a loaded machine) must not close windows early
        return JobConfig.defaults(SPEC, model.toString()).withOutOfOrderness(10_000).withQuietFlush(120_000)
                .withBatching(4, 10).withSmoothing(3);
    }

    static Map<String, List<Classification>> runJob(String outTopic, String stateBackend, boolean failOnce) throws Exception {
        TestPackets.createTopic(kafka, outTopic, 1);
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(300, CheckpointingMode.EXACTLY_ONCE);
        JobConfig config = config();
        var input = SpikestreamJob.kafkaInput(env, kafka.bootstrapServers(), "cls-events", "cls-" + outTopic,
                OffsetsInitializer.earliest(), OffsetsInitializer.latest(), config);
        SpikestreamJob.Streams job = SpikestreamJob.build(input, config,
                failOnce ? FailingOnce::load : MsResNetWindowModel::load);
        job.classifications().sinkTo(SpikestreamJob.classificationSink(kafka.bootstrapServers(), outTopic,
                DeliveryGuarantee.EXACTLY_ONCE, "cls-" + outTopic));
        env.execute("classifier-test-" + outTopic);
        return readCommitted(outTopic);
    }

    @Test
    void classificationsReadBackCommittedEqualTheModelRunOfflineOnTheOfflineFrames() throws Exception {
        Map<String, List<Classification>> got = runJob("cls-out-plain", "hashmap", false);
        Map<String, List<WindowModel.Result>> want = offline(config());
        assertEquals(want.keySet(), got.keySet());
        for (String sensor : want.keySet()) {
            List<WindowModel.Result> w = want.get(sensor);
            List<Classification> g = got.get(sensor);
            assertEquals(w.size(), g.size(), sensor);
            List<double[]> probabilities = new ArrayList<>();
            for (int i = 0; i < w.size(); i++) {
                Classification c = g.get(i);
                assertEquals(i, c.getWindowIndex() - g.get(0).getWindowIndex(), "windows in order, none missing");
                assertArrayEquals(w.get(i).logits(), floats(c.getLogits()), 1e-4f, sensor + " window " + i);
                // the reference softmax and argmax are written out here, in double, not taken from production
                double[] p = softmax(w.get(i).logits());
                probabilities.add(p);
                assertArrayEquals(p, doubles(c.getProbabilities()), 1e-6, sensor + " window " + i);
                assertEquals(argmax(w.get(i).logits()), c.getTopClass());
                assertEquals(List.of("north", "east", "south", "west").get(c.getTopClass()), c.getTopClassName().toString());
                // smoothed = mean of the last 3 windows' probabilities
                double[] mean = new double[p.length];
                int from = Math.max(0, i - 2);
                for (int k = from; k <= i; k++) {
                    for (int j = 0; j < p.length; j++) {
                        mean[j] += probabilities.get(k)[j] / (i - from + 1);
                    }
                }
                assertArrayEquals(mean, doubles(c.getSmoothedProbabilities()), 1e-6);
                assertEquals(argmax(mean), c.getSmoothedClass());
                assertEquals(w.get(i).spikesPerNeuron(), c.getSpikes().getSpikesPerNeuron(), 1e-6);
                assertTrue(c.getLatencyMs() >= 0);
                assertEquals("tiny-random-42", c.getModelId().toString());
            }
        }
    }

    @Test
    void aJobThatFailsMidStreamAndRestartsFromACheckpointEmitsExactlyTheClassificationsOfAnUnbrokenRun() throws Exception {
        FailingOnce.calls.set(0);
        FailingOnce.failed = false;
        Map<String, List<Classification>> got = runJob("cls-out-failing", "rocksdb", true);
        assertTrue(FailingOnce.failed, "the failure was injected");
        Map<String, List<WindowModel.Result>> want = offline(config());
        for (String sensor : want.keySet()) {
            List<Classification> g = got.get(sensor);
            assertEquals(want.get(sensor).size(), g.size(), sensor + ": nothing missing, nothing twice");
            for (int i = 0; i < g.size(); i++) {
                assertEquals(i, g.get(i).getWindowIndex() - g.get(0).getWindowIndex());
                assertArrayEquals(want.get(sensor).get(i).logits(), floats(g.get(i).getLogits()), 1e-4f, sensor + " " + i);
            }
        }
    }

    /** The real model, except that one forward pass in the middle of the run throws (once per test JVM run). */
    static final class FailingOnce {
        static final AtomicInteger calls = new AtomicInteger();
        static volatile boolean failed;

        static WindowModel load(JobConfig config) {
            WindowModel real = MsResNetWindowModel.load(config);
            return new WindowModel() {
                @Override
                public String id() {
                    return real.id();
                }

                @Override
                public List<String> classNames() {
                    return real.classNames();
                }

                @Override
                public List<Result> forward(List<float[]> frames, int bins, int height, int width, List<byte[]> states) {
                    if (!failed && calls.incrementAndGet() == 25) {
                        failed = true;
                        throw new IllegalStateException("injected failure");
                    }
                    return real.forward(frames, bins, height, width, states);
                }

                @Override
                public void close() {
                    real.close();
                }
            };
        }
    }

    /** exp(z - max) / sum: the textbook definition, in double. */
    static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float z : logits) {
            max = Math.max(max, z);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            p[i] = Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** The first index of the largest value (softmax is monotone, so the logits decide as the probabilities do). */
    static int argmax(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return argmax(d);
    }

    static int argmax(double[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    static double[] doubles(List<Float> l) {
        double[] a = new double[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }

    static float[] floats(List<Float> l) {
        float[] a = new float[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }

    /**
     * Everything committed to {@code topic}, read after the job has finished: partitions assigned
     * directly (no group to join) and read up to their end offsets, which for a read_committed
     * consumer stop at the last stable offset, so nothing can still be on its way.
     */
    static Map<String, List<Classification>> readCommitted(String topic) {
        Map<String, List<Classification>> out = new LinkedHashMap<>();
        for (ConsumerRecord<String, Classification> r : Collect.topic(kafka.bootstrapServers(), topic, new ClassificationDeserializer())) {
            out.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
        }
        out.values().forEach(l -> l.sort(Comparator.comparingLong(Classification::getWindowIndex)));
        return out;
    }
}
