package io.spikestream.connectors.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker (KRaft, broker and controller in one) running inside this JVM on
 * free loopback ports, for the demo, the integration tests and local benchmarks: no Docker and no
 * separate install, the same 4.2.0 code as the client.
 *
 * <p>Everything is sized for one node (replication factor and min ISR 1 for every internal topic,
 * including the transaction state log that exactly-once sinks need; no initial rebalance delay;
 * transactions may last an hour as Flink's Kafka sink asks by default). {@link #start()} returns
 * once the broker answers; {@link #close()} stops it and deletes its temporary log directory. Run
 * {@link #main} to have one as a separate process.
 */
public final class LocalKafkaBroker implements AutoCloseable {
    private static final int NODE_ID = 1;
    private static final String CONTROLLER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final KafkaRaftServer server;
    private final Path logDir;
    private final boolean deleteLogDir;
    private final int port;
    private final Scram scram;
    private Admin admin;
    private boolean closed;
    private boolean jvmShared;

    private static LocalKafkaBroker shared;

    private LocalKafkaBroker(KafkaRaftServer server, Path logDir, boolean deleteLogDir, int port, Scram scram) {
        this.server = server;
        this.logDir = logDir;
        this.deleteLogDir = deleteLogDir;
        this.port = port;
        this.scram = scram;
    }

    /** The SASL mechanism of a {@link #startScram secured} broker. */
    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";

    /**
     * SCRAM users of a secured broker.
     *
     * @param superUser the user the broker itself and {@link #admin()} authenticate as; no ACL applies to it
     * @param users user name → password, the super user's included
     */
    public record Scram(String superUser, Map<String, String> users) {
        public Scram {
            users = Map.copyOf(users);
            if (!users.containsKey(superUser)) {
                throw new IllegalArgumentException("the super user " + superUser + " needs a password in users");
            }
        }
    }

    /**
     * Starts a secured broker on free ports: its client port speaks SASL_PLAINTEXT with
     * {@value #SCRAM_MECHANISM} only (a client without credentials is refused), and ACLs are
     * enforced by the KRaft {@code StandardAuthorizer} with nothing allowed where no ACL says so.
     * The users exist from the start (written into the metadata when the log directory is
     * formatted); grant the others what they need through {@link #admin()}. For tests of
     * secured-cluster behaviour: TLS is left out because SCRAM and ACLs are what clients must get right.
     */
    public static LocalKafkaBroker startScram(Scram users) throws IOException {
        return start(0, null, Map.of(), users);
    }

    /**
     * Client settings for a user of a {@link #startScram secured} broker: security protocol,
     * mechanism and JAAS line, to merge into a client's properties.
     */
    public static Map<String, String> scramClientSettings(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT",
                "sasl.mechanism", SCRAM_MECHANISM,
                "sasl.jaas.config", jaas(user, password));
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    /** Starts a broker on free ports with a temporary log directory that {@link #close()} deletes. */
    public static LocalKafkaBroker start() throws IOException {
        return start(0, null, Map.of());
    }

    /**
     * One broker for the whole JVM, started on first use and stopped when the JVM exits: test
     * suites share it instead of paying a broker start per test class (each test uses topics and
     * consumer groups of its own). {@link #close()} on it does nothing.
     */
    public static synchronized LocalKafkaBroker shared() throws IOException {
        if (shared == null) {
            LocalKafkaBroker b = start();
            b.jvmShared = true;
            Runtime.getRuntime().addShutdownHook(new Thread(b::stop, "shared-kafka-broker-shutdown"));
            shared = b;
        }
        return shared;
    }

    /**
     * Starts a broker.
     *
     * @param brokerPort the client port, or 0 for a free one
     * @param logDir where to keep the data (kept after close), or null for a temporary directory
     * @param overrides broker properties that replace the defaults described above
     */
    public static LocalKafkaBroker start(int brokerPort, Path logDir, Map<String, String> overrides) throws IOException {
        return start(brokerPort, logDir, overrides, null);
    }

    private static LocalKafkaBroker start(int brokerPort, Path logDir, Map<String, String> overrides, Scram scram)
            throws IOException {
        IOException last = null;
        // a free port found by probing can be taken by someone else before the broker binds it: retry
        for (int attempt = 0; attempt < 3; attempt++) {
            boolean temporary = logDir == null;
            Path dir = temporary ? Files.createTempDirectory("spikestream-kafka-") : logDir;
            int port = brokerPort != 0 ? brokerPort : freePort();
            int controllerPort = freePort();
            try {
                return startOnce(dir, temporary, port, controllerPort, overrides, scram);
            } catch (IOException e) {
                last = e;
                if (temporary) {
                    deleteRecursively(dir);
                }
                if (!(e.getCause() instanceof BindException) || brokerPort != 0) {
                    throw e;
                }
            }
        }
        throw last;
    }

    private static LocalKafkaBroker startOnce(Path dir, boolean temporary, int port, int controllerPort,
                                              Map<String, String> overrides, Scram scram) throws IOException {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", String.valueOf(NODE_ID));
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + "," + CONTROLLER + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("controller.listener.names", CONTROLLER);
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
        p.put("log.dirs", dir.toString());
        p.put("num.partitions", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "4");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("transaction.state.log.num.partitions", "4");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("transaction.max.timeout.ms", String.valueOf(TimeUnit.HOURS.toMillis(1)));
        // the log cleaner's default 128 MiB dedupe buffer is wasted on a test broker
        p.put("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
        p.put("num.network.threads", "2");
        p.put("num.io.threads", "4");
        if (scram != null) {
            secure(p, port, controllerPort, scram);
        }
        p.putAll(overrides);

        KafkaConfig config = KafkaConfig.fromProps(p);
        if (!Files.exists(dir.resolve("meta.properties"))) {
            format(dir, scram);
        }
        KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
        LocalKafkaBroker broker = new LocalKafkaBroker(server, dir, temporary, port, scram);
        try {
            server.startup();
            broker.awaitReady();
            return broker;
        } catch (RuntimeException | IOException e) {
            broker.closeQuietly();
            Throwable bind = rootCause(e) instanceof BindException b ? b : null;
            throw new IOException("Kafka broker on 127.0.0.1:" + port + " did not start: " + rootCause(e), bind == null ? e : bind);
        }
    }

    /**
     * The client listener becomes SASL_PLAINTEXT/SCRAM, used by the broker for its own requests too
     * (transaction markers go through it) as the super user. The controller listener stays
     * plaintext on loopback: its principal (ANONYMOUS, which no SASL listener can produce) is a super
     * user so that the broker half may talk to the controller half.
     */
    private static void secure(Properties p, int port, int controllerPort, Scram scram) {
        String listener = "SASL_PLAINTEXT";
        p.put("listeners", listener + "://127.0.0.1:" + port + "," + CONTROLLER + "://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", listener + "://127.0.0.1:" + port);
        p.put("inter.broker.listener.name", listener);
        p.put("listener.security.protocol.map", listener + ":SASL_PLAINTEXT," + CONTROLLER + ":PLAINTEXT");
        p.put("sasl.enabled.mechanisms", SCRAM_MECHANISM);
        p.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
        p.put("listener.name.sasl_plaintext." + SCRAM_MECHANISM.toLowerCase(java.util.Locale.ROOT) + ".sasl.jaas.config",
                jaas(scram.superUser(), scram.users().get(scram.superUser())));
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("super.users", "User:" + scram.superUser() + ";User:ANONYMOUS");
        p.put("allow.everyone.if.no.acl.found", "false");
    }

    private static void format(Path dir, Scram scram) throws IOException {
        List<String> users = new java.util.ArrayList<>();
        if (scram != null) {
            scram.users().forEach((user, password) ->
                    users.add(SCRAM_MECHANISM + "=[name=" + user + ",password=" + password + "]"));
        }
        try {
            new Formatter()
                    .setScramArguments(users)
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(dir.toString()))
                    .setMetadataLogDirectory(dir.toString())
                    .setControllerListenerName(CONTROLLER)
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        } catch (Exception e) {
            throw new IOException("cannot format Kafka log directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            try {
                admin().describeCluster().nodes().get(5, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("Kafka broker on " + bootstrapServers() + " not ready after " + READY_TIMEOUT, e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the Kafka broker", e);
            }
        }
    }

    /** {@code host:port} for clients' {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path logDir() {
        return logDir;
    }

    /**
     * Creates a topic (replication factor 1) and waits until every partition has a leader; an
     * existing topic with the same partition count is accepted.
     */
    public void createTopic(String name, int partitions) {
        try {
            try {
                admin().createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                TopicDescription d;
                try {
                    d = admin().describeTopics(List.of(name)).allTopicNames().get(10, TimeUnit.SECONDS).get(name);
                } catch (ExecutionException e) {
                    // the controller has created it but the broker's metadata cache may not know it yet
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(20);
                    continue;
                }
                if (d.partitions().size() != partitions) {
                    throw new IllegalStateException("topic " + name + " exists with " + d.partitions().size()
                            + " partitions, not " + partitions);
                }
                if (d.partitions().stream().allMatch(tp -> tp.leader() != null && !tp.leader().isEmpty())) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + name + " has partitions without a leader after 30 s");
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + name + " on " + bootstrapServers() + ": "
                    + rootCause(e).getMessage(), e);
        }
    }

    /**
     * On a {@link #startScram secured} broker: allows {@code user} the operations on a resource
     * (a literal name, or every name starting with it when {@code prefixed}), and returns once the
     * broker's authorizer applies the new ACLs.
     */
    public void allow(String user, org.apache.kafka.common.resource.ResourceType type, String name, boolean prefixed,
                      org.apache.kafka.common.acl.AclOperation... operations) {
        var pattern = new org.apache.kafka.common.resource.ResourcePattern(type, name,
                prefixed ? org.apache.kafka.common.resource.PatternType.PREFIXED : org.apache.kafka.common.resource.PatternType.LITERAL);
        List<org.apache.kafka.common.acl.AclBinding> bindings = new java.util.ArrayList<>();
        for (var op : operations) {
            bindings.add(new org.apache.kafka.common.acl.AclBinding(pattern, new org.apache.kafka.common.acl.AccessControlEntry(
                    "User:" + user, "*", op, org.apache.kafka.common.acl.AclPermissionType.ALLOW)));
        }
        try {
            admin().createAcls(bindings).all().get(30, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // the controller has committed them; the broker applies metadata a moment later
            while (!admin().describeAcls(new org.apache.kafka.common.acl.AclBindingFilter(pattern.toFilter(), org.apache.kafka.common.acl.AccessControlEntryFilter.ANY)).values().get(10, TimeUnit.SECONDS).containsAll(bindings)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("ACLs for " + user + " on " + name + " not applied after 30 s");
                }
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating ACLs", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("cannot create ACLs for " + user + " on " + name + ": " + rootCause(e).getMessage(), e);
        }
    }

    /** An admin client for this broker, kept open until {@link #close()}. */
    public synchronized Admin admin() {
        if (admin == null) {
            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
            if (scram != null) {
                p.putAll(scramClientSettings(scram.superUser(), scram.users().get(scram.superUser())));
            }
            admin = Admin.create(p);
        }
        return admin;
    }

    /**
     * Stops the broker (clients then see it as gone) and deletes a temporary log directory; does
     * nothing on the {@link #shared()} broker, which stops with the JVM.
     */
    @Override
    public void close() {
        if (!jvmShared) {
            stop();
        }
    }

    private synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
        server.shutdown();
        server.awaitShutdown();
        if (deleteLogDir) {
            deleteRecursively(logDir);
        }
    }

    private void closeQuietly() {
        try {
            stop();
        } catch (RuntimeException ignored) {
            // already failing to start; the start error is the one worth reporting
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete Kafka log directory " + dir, e);
        }
    }

    /**
     * Runs a broker as its own process until interrupted: {@code LocalKafkaBroker [port [logDir]]}.
     * Prints {@code bootstrap.servers=HOST:PORT} once it is ready.
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        Path dir = args.length > 1 ? Path.of(args[1]) : null;
        LocalKafkaBroker broker = start(port, dir, Map.of());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "kafka-broker-shutdown"));
        System.out.println("bootstrap.servers=" + broker.bootstrapServers());
        System.out.flush();
        stopped.await();
    }
}
