package io.spikestream.cli;

import static io.spikestream.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.cli.Cli.Run;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.KafkaClientSettings;
import io.spikestream.connectors.kafka.LocalKafkaBroker;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.job.JobConfig;
import io.spikestream.pipeline.job.MsResNetWindowModel;
import io.spikestream.pipeline.job.SpikestreamJob;
import io.spikestream.pipeline.job.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Kafka client of the commands and the job against a secured broker: the embedded broker
 * with a SASL/SCRAM listener and ACLs (nothing allowed without an ACL). Right credentials work
 * end to end (replay → job → watch, dead letters included); a wrong password, missing credentials
 * and a missing write permission each end the command with one line; no secret reaches a log line,
 * the printed output or the job's plan.
 */
class SecuredKafkaTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    static final String ALICE_PASSWORD = "alice-Pa55-never-printed";
    static final String BOB_PASSWORD = "bob-Pa55-never-printed";
    static final String ADMIN_PASSWORD = "admin-Pa55-never-printed";
    static final SensorGeometry G = new SensorGeometry(34, 26);
    static final FramingSpec SPEC = new FramingSpec(2_000, 4, 4, 8, 8, G, 0, FramingSpec.Fit.LETTERBOX, false, false, 0);

    static LocalKafkaBroker kafka;
    static Path model;
    static Path aliceConfig;
    static Path bobConfig;
    static Path wrongConfig;
    static Path recording;
    static final List<String> logLines = Collections.synchronizedList(new ArrayList<>());
    static Capture capture;
    @TempDir
    static Path dir;

    @BeforeAll
    static void setUp() throws Exception {
        capture = Capture.install();
        kafka = LocalKafkaBroker.startScram(new LocalKafkaBroker.Scram("admin",
                Map.of("admin", ADMIN_PASSWORD, "alice", ALICE_PASSWORD, "bob", BOB_PASSWORD)));
        for (String t : List.of("sec-events", "sec-out", "sec-events.dead-letters")) {
            kafka.createTopic(t, 1);
        }
        // alice: everything the pipeline needs, and no more than that
        kafka.allow("alice", ResourceType.TOPIC, "sec-", true, AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE);
        kafka.allow("alice", ResourceType.GROUP, "*", false, AclOperation.READ, AclOperation.DESCRIBE);
        kafka.allow("alice", ResourceType.TRANSACTIONAL_ID, "*", false, AclOperation.WRITE, AclOperation.DESCRIBE);
        // bob: may read the input, see the output topics and write dead letters, but not write classifications
        kafka.allow("bob", ResourceType.TOPIC, "sec-events", false, AclOperation.READ, AclOperation.DESCRIBE);
        kafka.allow("bob", ResourceType.TOPIC, "sec-out", false, AclOperation.DESCRIBE);
        kafka.allow("bob", ResourceType.TOPIC, "sec-events.dead-letters", false, AclOperation.WRITE, AclOperation.DESCRIBE);
        kafka.allow("bob", ResourceType.GROUP, "*", false, AclOperation.READ);

        model = TestModels.tiny(dir.resolve("tiny.safetensors"), SPEC, 7);
        aliceConfig = properties("alice.properties", "alice", ALICE_PASSWORD);
        bobConfig = properties("bob.properties", "bob", BOB_PASSWORD);
        wrongConfig = properties("wrong.properties", "alice", "not-" + ALICE_PASSWORD);
        recording = dir.resolve("cam-sec.csv");
        StringBuilder csv = new StringBuilder("t,x,y,p\n");
        Random random = new Random(5);
        // the corners first: the CSV reader takes the geometry from the largest coordinates
        csv.append("1000,0,0,1\n1010,").append(G.width() - 1).append(',').append(G.height() - 1).append(",0\n");
        for (int i = 0; i < 6000; i++) {
            csv.append(1020 + 20L * i).append(',').append(random.nextInt(G.width())).append(',')
                    .append(random.nextInt(G.height())).append(',').append(random.nextInt(2)).append('\n');
        }
        Files.writeString(recording, csv);
    }

    @AfterAll
    static void tearDown() {
        if (kafka != null) {
            kafka.close();
        }
        if (capture != null) {
            capture.stop();
        }
    }

    static Path properties(String name, String user, String password) throws Exception {
        Properties p = new Properties();
        p.putAll(LocalKafkaBroker.scramClientSettings(user, password));
        Path f = dir.resolve(name);
        try (var w = Files.newBufferedWriter(f, StandardCharsets.UTF_8)) {
            p.store(w, null);
        }
        return f;
    }

    @Test
    void replayJobAndWatchWorkWithTheRightCredentials() throws Exception {
        Run replay = run("replay", recording.toString(), "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "sec-events",
                "--max-speed", "--no-progress", "--kafka-config", aliceConfig.toString());
        assertEquals(Main.OK, replay.exit(), replay.err());
        assertTrue(replay.out().contains("\"events\":6002"), replay.out());
        // one record that is not a packet, so that the dead-letter sink writes through its secured producer too
        Properties admin = KafkaClientSettings.of(LocalKafkaBroker.scramClientSettings("admin", ADMIN_PASSWORD))
                .forClient(kafka.bootstrapServers());
        try (var producer = new KafkaProducer<>(admin, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>("sec-events", "cam-sec".getBytes(StandardCharsets.UTF_8),
                    "not a packet".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }

        KafkaClientSettings alice = KafkaClientSettings.load(aliceConfig, null);
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.enableCheckpointing(300, CheckpointingMode.EXACTLY_ONCE);
        JobConfig config = JobConfig.defaults(SPEC, model.toString()).withQuietFlush(120_000);
        var input = SpikestreamJob.kafkaInput(env, kafka.bootstrapServers(), "sec-events", "sec-job",
                OffsetsInitializer.earliest(), OffsetsInitializer.latest(), config, alice);
        SpikestreamJob.Streams job = SpikestreamJob.build(input, config, MsResNetWindowModel::load);
        job.classifications().sinkTo(SpikestreamJob.classificationSink(kafka.bootstrapServers(), "sec-out",
                DeliveryGuarantee.EXACTLY_ONCE, "sec-job", alice));
        job.deadLetters().sinkTo(SpikestreamJob.deadLetterSink(kafka.bootstrapServers(), "sec-events.dead-letters",
                DeliveryGuarantee.EXACTLY_ONCE, "sec-job-dead", alice));
        String plan = env.getStreamGraph(false).getStreamingPlanAsJSON();
        assertFalse(plan.contains(ALICE_PASSWORD), "the job's plan shows the password");
        assertFalse(env.getConfiguration().toString().contains(ALICE_PASSWORD), "the job's configuration shows the password");
        env.execute("secured");

        List<ConsumerRecord<byte[], byte[]>> out = readCommitted("sec-out", admin);
        List<ConsumerRecord<byte[], byte[]>> dead = readCommitted("sec-events.dead-letters", admin);
        assertEquals(1, dead.size(), "one dead letter for the one record that is not a packet");
        // 6002 events over 120 ms in tumbling 8 ms windows (4 bins of 2 ms, hop 4): about 15 windows
        assertTrue(out.size() >= 14, "classifications written through the secured sink: " + out.size());

        Run watch = run("watch", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "sec-out", "--from-beginning",
                "--max", String.valueOf(out.size()), "--idle-timeout-ms", "30000", "--kafka-config", aliceConfig.toString());
        assertEquals(Main.OK, watch.exit(), watch.err());
        assertEquals(out.size(), watch.out().lines().count(), watch.out());
        assertTrue(watch.out().lines().allMatch(l -> l.startsWith("cam-sec")), watch.out());
        assertNoSecretIn(replay.out() + replay.err() + watch.out() + watch.err());
    }

    static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic, Properties client) {
        Properties p = new Properties();
        p.putAll(client);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "check-" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var partition = new org.apache.kafka.common.TopicPartition(topic, 0);
            consumer.assign(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // the end offset counts transaction markers too: read until the position passes it
            while (consumer.position(partition, Duration.ofSeconds(30)) < end) {
                assertTrue(System.nanoTime() < deadline, "topic " + topic + " not read to offset " + end + " within 60 s");
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    @Test
    void aWrongPasswordIsOneLineNamingTheBrokerAndTheMechanism() {
        String broker = kafka.bootstrapServers();
        List<Run> runs = List.of(
                run("replay", recording.toString(), "--bootstrap-servers", broker, "--topic", "sec-events", "--max-speed",
                        "--no-progress", "--kafka-config", wrongConfig.toString()),
                run("watch", "--bootstrap-servers", broker, "--topic", "sec-out", "--kafka-config", wrongConfig.toString()),
                run("run", "--bootstrap-servers", broker, "--input-topic", "sec-events", "--output-topic", "sec-out",
                        "--model", model.toString(), "--kafka-config", wrongConfig.toString()));
        for (Run r : runs) {
            assertEquals(Main.FAILURE, r.exit(), r.err());
            String err = r.err().strip();
            assertEquals(1, err.lines().count(), err);
            assertTrue(err.contains(broker) && err.contains("SCRAM-SHA-512") && err.contains("refused the credentials"), err);
            assertNoSecretIn(r.out() + r.err());
        }
    }

    @Test
    void aClientWithoutCredentialsIsRefused() throws Exception {
        // a plaintext client gets no answer from the SASL listener: its metadata request times out
        try (Admin plain = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers(), "default.api.timeout.ms", "3000",
                "request.timeout.ms", "3000"))) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> plain.listTopics().names().get(20, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException, String.valueOf(e.getCause()));
        }
        long start = System.nanoTime();
        Run watch = run("watch", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "sec-out",
                "--kafka-property", "default.api.timeout.ms=3000");
        assertEquals(Main.FAILURE, watch.exit(), watch.err());
        assertEquals(1, watch.err().strip().lines().count(), watch.err());
        assertTrue(watch.err().contains("no answer from Kafka at " + kafka.bootstrapServers()) && watch.err().contains("PLAINTEXT"),
                watch.err());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "watch took more than 30 s to give up");
    }

    @Test
    void thePreflightOfRunPassesWithTheRightCredentials() throws Exception {
        Map<String, io.spikestream.connectors.kafka.KafkaPreflight.Access> topics = new java.util.LinkedHashMap<>();
        topics.put("sec-events", io.spikestream.connectors.kafka.KafkaPreflight.Access.READ);
        topics.put("sec-out", io.spikestream.connectors.kafka.KafkaPreflight.Access.WRITE);
        topics.put("sec-events.dead-letters", io.spikestream.connectors.kafka.KafkaPreflight.Access.WRITE);
        io.spikestream.connectors.kafka.KafkaPreflight.check(kafka.bootstrapServers(), KafkaClientSettings.load(aliceConfig, null), topics);
    }

    @Test
    void runWithoutWritePermissionOnTheOutputTopicFailsClearly() {
        Run r = run("run", "--bootstrap-servers", kafka.bootstrapServers(), "--input-topic", "sec-events", "--output-topic", "sec-out",
                "--model", model.toString(), "--kafka-config", bobConfig.toString());
        assertEquals(Main.FAILURE, r.exit(), r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("does not allow user 'bob' WRITE on topic 'sec-out'") && err.contains(kafka.bootstrapServers()), err);
        assertNoSecretIn(r.out() + r.err());
    }

    @Test
    void helpShowsTheOptionsOnEveryKafkaCommand() {
        for (String[] command : List.of(new String[] {"run"}, new String[] {"replay"}, new String[] {"watch"},
                new String[] {"demo"}, new String[] {"bench", "pipeline"})) {
            List<String> args = new ArrayList<>(List.of(command));
            args.add("--help");
            Run r = run(args.toArray(String[]::new));
            assertEquals(Main.OK, r.exit(), r.err());
            assertTrue(r.out().contains("--kafka-config=FILE") && r.out().contains("--kafka-property=KEY=VALUE"),
                    String.join(" ", command) + ": " + r.out());
        }
        Run bad = run("watch", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "sec-out", "--kafka-property", "client.id=w",
                "--kafka-property", ALICE_PASSWORD);
        assertEquals(Main.USAGE, bad.exit(), bad.err());
        assertTrue(bad.err().contains("--kafka-property wants KEY=VALUE; the 2nd one has no key before '='"), bad.err());
        // a misspelt option echoes its argument: the secret in it is hidden
        Run misspelt = run("watch", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "sec-out", "--kafka-propery",
                "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\""
                        + ALICE_PASSWORD + "\";");
        assertEquals(Main.USAGE, misspelt.exit(), misspelt.err());
        assertNoSecretIn(bad.out() + bad.err() + misspelt.out() + misspelt.err());
    }

    /** Checked last by each test, and for all log lines of the class at the end. */
    static void assertNoSecretIn(String text) {
        for (String secret : List.of(ALICE_PASSWORD, BOB_PASSWORD, ADMIN_PASSWORD)) {
            assertFalse(text.contains(secret), "a password was printed");
        }
    }

    @org.junit.jupiter.api.AfterEach
    void noSecretInTheLogs() {
        synchronized (logLines) {
            assertTrue(logLines.stream().anyMatch(l -> l.contains("sasl.jaas.config")),
                    "the Kafka clients logged no configuration: the log check would prove nothing");
            for (String line : logLines) {
                assertNoSecretIn(line);
            }
        }
    }

    /** Captures every log line at INFO and above from the Kafka clients, Flink and spikestream while the class runs. */
    static final class Capture extends AbstractAppender {
        private final Map<String, Level> before = new java.util.HashMap<>();

        private Capture() {
            super("secured-kafka-capture", null, null, true, Property.EMPTY_ARRAY);
        }

        static Capture install() {
            Capture c = new Capture();
            c.start();
            LoggerContext ctx = (LoggerContext) org.apache.logging.log4j.LogManager.getContext(false);
            for (String name : List.of("org.apache.kafka", "org.apache.flink", "io.spikestream")) {
                LoggerConfig lc = new LoggerConfig(name, Level.INFO, false);
                lc.addAppender(c, Level.INFO, null);
                ctx.getConfiguration().addLogger(name, lc);
            }
            ctx.updateLoggers();
            return c;
        }

        void stop0() {
            LoggerContext ctx = (LoggerContext) org.apache.logging.log4j.LogManager.getContext(false);
            for (String name : List.of("org.apache.kafka", "org.apache.flink", "io.spikestream")) {
                ctx.getConfiguration().removeLogger(name);
            }
            ctx.updateLoggers();
        }

        @Override
        public void stop() {
            stop0();
            super.stop();
        }

        @Override
        public void append(LogEvent event) {
            StringBuilder b = new StringBuilder(event.getMessage().getFormattedMessage());
            for (Throwable t = event.getThrown(); t != null; t = t.getCause()) {
                b.append(" | ").append(t);
            }
            logLines.add(b.toString());
        }
    }
}
