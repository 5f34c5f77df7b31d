package io.spikestream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.ClassificationDeserializer;
import io.spikestream.connectors.recording.EventWriter;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.connectors.replay.ReplayOptions;
import io.spikestream.connectors.replay.ReplaySource;
import io.spikestream.connectors.replay.Replayer;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.job.TestModels;
import io.spikestream.schemas.Classification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Failure drills against the real multi-process cluster of {@code deploy/local/cluster}: a Kafka
 * broker, a JobManager and three one-slot TaskManagers, each its own JVM. Every drill replays the
 * same two-sensor recording in real time into its own topic, disturbs the running job, and then
 * compares the committed output (read_committed) with that of an undisturbed run of the same job:
 * every window exactly once, with the same top class and logits. Each drill prints its recovery time
 * (failure to the first classification committed after it, that the job emitted after it).
 *
 * <p>Bringing the cluster up and the undisturbed run take about 2.5 minutes here and each drill 1–2
 * more; the default build (and so CI) runs all three, one cluster for the class.
 */
@Tag("drill")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterDrillTest {
    static final SensorGeometry G = new SensorGeometry(34, 26);
    static final FramingSpec SPEC = new FramingSpec(20_000, 4, 4, 8, 8, G, 0, FramingSpec.Fit.LETTERBOX, false, false, 0);
    static final List<String> SENSORS = List.of("cam-0", "cam-1");
    /** Event time of each recording; replayed in real time, so also the drill's streaming time. */
    static final long RECORDING_US = 16_000_000L;
    /** Longer than any outage in the drills, so that a window never closes early on wall-clock silence. */
    static final String QUIET_FLUSH_MS = "15000";
    /** 10 ms of events per Kafka record. */
    static final long PACKET_US = 10_000;

    static Path work;
    static LocalCluster cluster;
    static Path model;
    static List<Path> recordings = new ArrayList<>();
    static Map<String, Classification> reference;

    @BeforeAll
    static void bringUpClusterAndRunUndisturbed() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        Path script = root.resolve("deploy/local/cluster");
        Assumptions.assumeTrue(Files.isRegularFile(script), "deploy/local/cluster is missing");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")) && Files.isExecutable(Path.of("/usr/bin/curl")),
                "the drills need bash and curl");
        work = Path.of(System.getProperty("user.dir"), "target", "drills");
        deleteRecursively(work);
        Files.createDirectories(work);
        model = TestModels.tiny(work.resolve("tiny.safetensors"), SPEC, 7);
        for (int s = 0; s < SENSORS.size(); s++) {
            recordings.add(recording(work.resolve(SENSORS.get(s) + ".raw"), 100 + s));
        }
        long upStart = System.nanoTime();
        cluster = LocalCluster.up(script, work.resolve("cluster"), 3, "--slots", "1", "--tm-memory", "1792m",
                "--tm-offheap", "384m", "--tm-managed", "64m", "--jm-memory", "768m");

        System.out.printf("drills: cluster up (broker, JobManager, 3 TaskManagers) in %.0f s%n", (System.nanoTime() - upStart) / 1e9);
        // the undisturbed run: the whole recording up front, nothing disturbs the job
        createTopics("ref-events", "ref-out");
        replay("ref-events", ReplayOptions.MAX_SPEED);
        try (Collector out = new Collector("ref-out")) {
            String job = submit(null, "ref", 2);
            reference = out.awaitAll(Integer.MAX_VALUE, Duration.ofSeconds(Long.parseLong(QUIET_FLUSH_MS) / 1000 + 10),
                    Duration.ofMinutes(4));
            cluster.cancel(job);
            assertFalse(reference.isEmpty(), "the undisturbed run classified nothing");
            assertEquals(out.received.size(), reference.size(), "the undisturbed run emitted a window twice");
        }
        System.out.printf("drills: undisturbed run classified %d windows of %d sensors%n", reference.size(), SENSORS.size());
    }

    @AfterAll
    static void bringDown() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void killingATaskManagerRecoversFromTheLastCheckpointWithEveryWindowExactlyOnce() throws Exception {
        createTopics("kill-events", "kill-out");
        String job = null;
        int victim = -1;
        try (Collector out = new Collector("kill-out")) {
            job = submit(null, "kill", 2);
            cluster.awaitRunning(job, Duration.ofMinutes(2));
            CompletableFuture<Void> replay = replayAsync("kill-events");
            out.awaitCount(reference.size() / 4, Duration.ofMinutes(2));
            victim = cluster.taskManagersOf(job).iterator().next();
            long failure = System.currentTimeMillis();
            cluster.killTaskManager(victim);
            replay.get(3, TimeUnit.MINUTES);
            assertSameAsUndisturbed(out, "kill -9 taskmanager-" + victim, failure);
            assertTrue(cluster.failures(job) >= 1, "the job never failed: the kill did not hit it");
        } finally {
            // the next drills need every TaskManager and slot back
            if (job != null) {
                cluster.cancel(job);
            }
            if (victim >= 0) {
                cluster.startTaskManager(victim);
            }
        }
    }

    @Test
    @Order(2)
    void stopWithSavepointAndRestartAtHigherParallelismContinuesTheClassifications() throws Exception {
        createTopics("rescale-events", "rescale-out");
        List<String> jobs = new ArrayList<>();
        try (Collector out = new Collector("rescale-out")) {
            jobs.add(submit(null, "rescale", 2));
            cluster.awaitRunning(jobs.get(0), Duration.ofMinutes(2));
            CompletableFuture<Void> replay = replayAsync("rescale-events");
            out.awaitCount(reference.size() / 4, Duration.ofMinutes(2));
            long failure = System.currentTimeMillis();
            String savepoint = cluster.stopWithSavepoint(jobs.get(0), Duration.ofMinutes(2));
            jobs.add(submit(savepoint, "rescale", 3));
            cluster.awaitRunning(jobs.get(1), Duration.ofMinutes(2));
            assertEquals(3, cluster.taskManagersOf(jobs.get(1)).size(), "the restored job runs on three TaskManagers");
            replay.get(3, TimeUnit.MINUTES);
            assertSameAsUndisturbed(out, "savepoint, parallelism 2 -> 3", failure);
        } finally {
            for (String job : jobs) {
                cluster.cancel(job);
            }
        }
    }

    @Test
    @Order(3)
    void restartingTheKafkaBrokerLosesAndDuplicatesNothing() throws Exception {
        createTopics("broker-events", "broker-out");
        String job = null;
        try (Collector out = new Collector("broker-out")) {
            job = submit(null, "broker", 2);
            cluster.awaitRunning(job, Duration.ofMinutes(2));
            CompletableFuture<Void> replay = replayAsync("broker-events");
            out.awaitCount(reference.size() / 4, Duration.ofMinutes(2));
            long failure = System.currentTimeMillis();
            cluster.stopKafka();
            cluster.startKafka();
            System.out.printf("drill Kafka broker restart: broker away for %.1f s%n", (System.currentTimeMillis() - failure) / 1e3);
            replay.get(4, TimeUnit.MINUTES);
            assertSameAsUndisturbed(out, "Kafka broker restart", failure);
            System.out.printf("drill Kafka broker restart: the job failed and restarted %d times%n", cluster.failures(job));
        } finally {
            if (job != null) {
                cluster.cancel(job);
            }
        }
    }

    /** Waits for the whole output, then compares it window by window with the undisturbed run's. */
    private static void assertSameAsUndisturbed(Collector out, String drill, long failureMs) throws Exception {
        Map<String, Classification> got = out.awaitAll(reference.size(), Duration.ofSeconds(Long.parseLong(QUIET_FLUSH_MS) / 1000 + 10),
                Duration.ofMinutes(4));
        assertEquals(out.received.size(), got.size(), drill + ": a window was committed twice");
        List<String> missing = reference.keySet().stream().filter(k -> !got.containsKey(k)).sorted().toList();
        List<String> extra = got.keySet().stream().filter(k -> !reference.containsKey(k)).sorted().toList();
        assertTrue(missing.isEmpty(), drill + ": windows missing from the committed output: " + head(missing));
        assertTrue(extra.isEmpty(), drill + ": windows the undisturbed run never had: " + head(extra));
        for (Map.Entry<String, Classification> e : reference.entrySet()) {
            Classification want = e.getValue();
            Classification have = got.get(e.getKey());
            assertEquals(want.getTopClass(), have.getTopClass(), drill + ": top class of " + e.getKey());
            assertEquals(want.getSmoothedClass(), have.getSmoothedClass(), drill + ": smoothed class of " + e.getKey());
            assertEquals(want.getLogits().size(), have.getLogits().size());
            for (int i = 0; i < want.getLogits().size(); i++) {
                assertEquals(want.getLogits().get(i), have.getLogits().get(i), 1e-6f, drill + ": logit " + i + " of " + e.getKey());
            }
        }
        double recovery = out.firstEmittedAfter(failureMs) / 1e3;
        System.out.printf("drill %-32s recovery %.1f s (failure -> first new committed classification), %d windows exactly once%n",
                drill + ":", recovery, got.size());
    }

    private static String head(List<String> keys) {
        return keys.size() <= 10 ? keys.toString() : keys.subList(0, 10) + " ... (" + keys.size() + ")";
    }

    private static String submit(String savepoint, String name, int parallelism) throws Exception {
        return cluster.submit(savepoint, "--bootstrap-servers", cluster.bootstrapServers(),
                "--input-topic", name + "-events", "--output-topic", name + "-out", "--group-id", name,
                "--model", model.toString(), "--parallelism", String.valueOf(parallelism),
                "--checkpoint-interval-ms", "1000", "--batch-size", "1", "--quiet-flush-ms", QUIET_FLUSH_MS);
    }

    private static void createTopics(String events, String out) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(events, SENSORS.size(), (short) 1), new NewTopic(out, 1, (short) 1),
                    new NewTopic(events + ".dead-letters", 1, (short) 1))).all().get(1, TimeUnit.MINUTES);
        }
    }

    private static void replay(String topic, double speed) throws IOException {
        List<ReplaySource> sources = new ArrayList<>();
        List<io.spikestream.connectors.recording.EventReader> readers = new ArrayList<>();
        try {
            for (int s = 0; s < SENSORS.size(); s++) {
                readers.add(Recordings.open(recordings.get(s)));
                sources.add(new ReplaySource(SENSORS.get(s), readers.get(s)));
            }
            Replayer.replay(sources, ReplayOptions.realTime(topic).withSpeed(speed).withPacketUs(PACKET_US),
                    cluster.bootstrapServers(), null);
        } finally {
            for (var r : readers) {
                r.close();
            }
        }
    }

    private static CompletableFuture<Void> replayAsync(String topic) {
        return CompletableFuture.runAsync(() -> {
            try {
                replay(topic, 1.0);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** A recording of random events over {@link #RECORDING_US}, about 10k events/s. */
    private static Path recording(Path file, long seed) throws IOException {
        Random rnd = new Random(seed);
        EventBatch b = new EventBatch(1 << 16);
        try (EventWriter w = Recordings.writer(file, G)) {
            for (long t = 1_000_000L; t < 1_000_000L + RECORDING_US; t += rnd.nextInt(200)) {
                b.add(t, rnd.nextInt(G.width()), rnd.nextInt(G.height()), rnd.nextInt(2));
                if (b.size() == b.capacity()) {
                    w.write(b);
                    b.clear();
                }
            }
            w.write(b);
        }
        return file;
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Reads an output topic with read_committed in the background, noting when each record arrived. */
    static final class Collector implements AutoCloseable {
        final List<ConsumerRecord<String, Classification>> received = new ArrayList<>();
        final List<Long> arrivals = new ArrayList<>();
        /**
         * Records already received, by partition and offset. After a broker restart the consumer
         * rejoins its group and resumes from its last auto-committed offset, so it is handed some
         * records again: the same records, not a second commit of their windows.
         */
        private final java.util.Set<String> offsets = new java.util.HashSet<>();
        private final Thread thread;
        private volatile boolean stop;
        private volatile Throwable failure;

        Collector(String topic) {
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, "drill-reader-" + topic);
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            thread = new Thread(() -> {
                try (KafkaConsumer<String, Classification> c = new KafkaConsumer<>(p, new StringDeserializer(), new ClassificationDeserializer())) {
                    c.subscribe(List.of(topic));
                    while (!stop) {
                        for (ConsumerRecord<String, Classification> r : c.poll(Duration.ofMillis(100))) {
                            synchronized (this) {
                                if (offsets.add(r.partition() + ":" + r.offset())) {
                                    received.add(r);
                                    arrivals.add(System.currentTimeMillis());
                                }
                            }
                        }
                    }
                } catch (Throwable t) {
                    failure = t;
                }
            }, "drill-collector-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        synchronized int count() {
            return received.size();
        }

        void awaitCount(int n, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (count() < n) {
                check();
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("only " + count() + " of " + n + " classifications within " + timeout);
                }
                Thread.sleep(100);
            }
        }

        /**
         * Waits until {@code expected} classifications arrived (and then a few checkpoint intervals
         * more, for any duplicate to show), or nothing new arrived for {@code quiet}; returns the
         * classifications by sensor and window.
         */
        Map<String, Classification> awaitAll(int expected, Duration quiet, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            int seen = -1;
            long since = System.nanoTime();
            while (true) {
                check();
                int n = count();
                if (n >= expected) {
                    Thread.sleep(3_000);
                    break;
                }
                if (n != seen || n == 0) {
                    seen = n;
                    since = System.nanoTime();
                } else if (System.nanoTime() - since > quiet.toNanos()) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the output did not settle within " + timeout + " (" + n + " classifications)");
                }
                Thread.sleep(200);
            }
            Map<String, Classification> byWindow = new HashMap<>();
            synchronized (this) {
                for (ConsumerRecord<String, Classification> r : received) {
                    byWindow.put(r.value().getSensorId() + "#" + r.value().getWindowIndex(), r.value());
                }
            }
            return byWindow;
        }

        /**
         * Milliseconds from {@code t} (epoch ms) to the arrival of the first committed classification
         * that the job emitted after {@code t}: output of the recovered job, not a transaction that
         * was already on its way before the failure. (All processes share this machine's clock.)
         */
        synchronized long firstEmittedAfter(long t) {
            long first = Long.MAX_VALUE;
            for (int i = 0; i < received.size(); i++) {
                if (received.get(i).value().getEmittedAtMs() > t) {
                    first = Math.min(first, arrivals.get(i));
                }
            }
            if (first == Long.MAX_VALUE) {
                throw new IllegalStateException("no classification emitted after the failure arrived");
            }
            return first - t;
        }

        private void check() {
            if (failure != null) {
                throw new IllegalStateException("the output reader failed", failure);
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            thread.join(10_000);
        }
    }
}
