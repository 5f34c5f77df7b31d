package io.spikestream.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.LocalKafkaBroker;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.framing.Window;
import io.spikestream.schemas.EventPacket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Savepoints written by the job before the framing state got its format version (the two-shuffle
 * job of spikestream 0.1: a {@code Framer} per sensor in keyed state of operator "framing", the
 * membrane state in operator "classifier") restore into today's job: framing resumes exactly
 * (the windows equal offline framing of the whole stream) and the membrane state carries over
 * (the classifications equal an uninterrupted offline model run).
 *
 * <p>The savepoint in {@code src/test/resources/savepoints/format-0} was written by the 0.1 job
 * with {@code -Dspikestream.writeLegacySavepoint=DIR} (the generator below), from the first half
 * of a deterministic stream; the test replays the same first half into a fresh broker (same
 * offsets), then the second half, and restores.
 */
@Tag("slow")
class LegacySavepointTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    static final SensorGeometry G = new SensorGeometry(34, 26);
    static final FramingSpec SPEC = new FramingSpec(2_000, 4, 4, 8, 8, G, 0, FramingSpec.Fit.LETTERBOX, false, false, 0);
    static final String TOPIC = "legacy-events";
    static final int SENSORS = 2;
    static final int EVENTS = 12_000;

    @TempDir
    Path dir;

    static EventBatch events(int sensor) {
        return TestPackets.events(500 + sensor, G, EVENTS, 24, 1_000_000L + 3_000L * sensor);
    }

    static void publish(LocalKafkaBroker kafka, boolean firstHalf, boolean secondHalf) throws Exception {
        try (KafkaProducer<String, EventPacket> producer = TestPackets.producer(kafka.bootstrapServers())) {
            for (int s = 0; s < SENSORS; s++) {
                EventBatch all = events(s);
                EventBatch first = new EventBatch();
                first.addAll(all, 0, EVENTS / 2);
                EventBatch second = new EventBatch();
                second.addAll(all, EVENTS / 2, EVENTS);
                long seq = 0;
                if (firstHalf) {
                    seq = TestPackets.publish(producer, TOPIC, "cam-" + s, G, first, 500, 0);
                }
                if (secondHalf) {
                    TestPackets.publish(producer, TOPIC, "cam-" + s, G, second, 500, seq == 0 ? EVENTS / 2 / 500 : seq);
                }
                producer.flush();
            }
        }
    }

    static JobConfig config(Path model, long quietFlushMs) {
        return JobConfig.defaults(SPEC, model.toString()).withOutOfOrderness(10_000).withQuietFlush(quietFlushMs)
                .withBatching(1, 0);
    }

    /** Writes the savepoint with the job of the day (run by hand, see the class comment). */
    @Test
    void writeSavepoint() throws Exception {
        String out = System.getProperty("spikestream.writeLegacySavepoint");
        assumeTrue(out != null, "generator only: set -Dspikestream.writeLegacySavepoint=DIR to write a savepoint");
        Path model = TestModels.tiny(dir.resolve("tiny.safetensors"), SPEC, 42);
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start()) {
            TestPackets.createTopic(kafka, TOPIC, 1);
            publish(kafka, true, false);
            Configuration conf = new Configuration();
            conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(1);
            JobConfig config = config(model, 600_000);
            var input = SpikestreamJob.kafkaInput(env, kafka.bootstrapServers(), TOPIC, "legacy",
                    OffsetsInitializer.earliest(), config);
            int got = 0;
            try (CloseableIterator<ClassificationResult> it = SpikestreamJob.build(input, config, MsResNetWindowModel::load)
                    .classifications().collectAsync()) {
                JobClient client = env.executeAsync("legacy-savepoint-writer");
                long deadline = System.currentTimeMillis() + 60_000;
                int want = expectedBeforeSavepoint(model);
                while (got < want && System.currentTimeMillis() < deadline) {
                    if (it.hasNext()) {
                        it.next();
                        got++;
                    }
                }
                assertEquals(want, got, "windows closed by the first half");
                String path = client.stopWithSavepoint(false, out, SavepointFormatType.CANONICAL).get();
                Files.writeString(Path.of(out).resolve("README.txt"), "written by LegacySavepointTest at " + path
                        + " with " + got + " classifications emitted before the savepoint\n");
            }
        }
    }

    /** How many windows per sensor the first half closes (its own watermark: newest event minus disorder). */
    static int expectedBeforeSavepoint(Path model) {
        int n = 0;
        for (int s = 0; s < SENSORS; s++) {
            n += closedByFirstHalf(s).size();
        }
        return n;
    }

    static List<Window> closedByFirstHalf(int s) {
        EventBatch all = events(s);
        Framer f = new Framer(SPEC, "cam-" + s, G);
        f.accept(all, 0, EVENTS / 2);
        return f.advanceTo(all.t(EVENTS / 2 - 1) - 10_000);
    }

    @Test
    void aSavepointOfTheFormerFormatRestoresFramingAndMembraneState() throws Exception {
        Path savepoint = Path.of(LegacySavepointTest.class.getResource("/savepoints/format-0/_metadata").toURI()).getParent();
        Path model = TestModels.tiny(dir.resolve("tiny.safetensors"), SPEC, 42);
        Map<String, List<WindowModel.Result>> offline = new LinkedHashMap<>();
        Map<String, Long> firstAfter = new LinkedHashMap<>();
        int expected = 0;
        try (WindowModel m = MsResNetWindowModel.load(config(model, 1_000))) {
            for (int s = 0; s < SENSORS; s++) {
                byte[] state = null;
                List<WindowModel.Result> rs = new ArrayList<>();
                for (Window w : Framer.frames(events(s), SPEC, G, "cam-" + s)) {
                    WindowModel.Result r = m.forward(List.of(w.frames()), w.bins(), w.height(), w.width(),
                            Collections.singletonList(state)).get(0);
                    state = r.state();
                    rs.add(r);
                }
                offline.put("cam-" + s, rs);
                int before = closedByFirstHalf(s).size();
                firstAfter.put("cam-" + s, (long) before);
                expected += rs.size() - before;
            }
        }
        Map<String, List<ClassificationResult>> got = new LinkedHashMap<>();
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start()) {
            TestPackets.createTopic(kafka, TOPIC, 1);
            publish(kafka, true, false);
            publish(kafka, false, true);
            Configuration conf = new Configuration();
            conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
            conf.setString("execution.state-recovery.path", savepoint.toUri().toString());
            conf.setString("execution.state-recovery.ignore-unclaimed-state", "true");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(1);
            // a quiet flush longer than the restored job takes to start reading: a shorter one would close the
            // restored sensors' open windows before the second half arrives (as designed for silent sensors)
            JobConfig config = config(model, 15_000);
            var input = SpikestreamJob.kafkaInput(env, kafka.bootstrapServers(), TOPIC, "legacy",
                    OffsetsInitializer.earliest(), config);
            List<ClassificationResult> all;
            // a map with its own uid in front of the collect sink: the sink's generated uid then differs from
            // the one in the savepoint, whose collect state belongs to the writer's client
            try (CloseableIterator<ClassificationResult> it = SpikestreamJob.build(input, config, MsResNetWindowModel::load)
                    .classifications().map(c -> c).returns(ClassificationResult.class).uid("restore-test-map")
                    .collectAsync()) {
                JobClient client = env.executeAsync("legacy-savepoint-restore");
                all = Collect.upTo(it, expected, 90_000);
                client.cancel();
            }
            int n = all.size();
            for (ClassificationResult c : all) {
                got.computeIfAbsent(c.sensorId, k -> new ArrayList<>()).add(c);
            }
            assertEquals(expected, n, "classifications after the restore within 90 s");
        }
        for (int s = 0; s < SENSORS; s++) {
            String sensor = "cam-" + s;
            List<WindowModel.Result> want = offline.get(sensor);
            List<ClassificationResult> g = got.get(sensor);
            long first = firstAfter.get(sensor);
            assertEquals(want.size() - first, g.size(), sensor);
            long index0 = Framer.frames(events(s), SPEC, G, sensor).get(0).index();
            for (int i = 0; i < g.size(); i++) {
                ClassificationResult c = g.get(i);
                assertEquals(index0 + first + i, c.windowIndex, sensor + ": the windows after the savepoint, in order");
                assertArrayEquals(want.get((int) first + i).logits(), c.logits, 1e-4f, sensor + " window " + (first + i)
                        + " (fresh state: " + c.freshState + ", events " + c.events + ", start " + c.windowStartUs + ")");
            }
            assertFalse(g.get(0).freshState, sensor + ": the first window after the restore starts from the saved membrane");
            assertTrue(g.get(0).events > 0);
        }
    }

    static Properties none() {
        return new Properties();
    }
}
