package io.spikestream.connectors.kafka;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Checks, before a command starts its real clients, that Kafka answers with the given settings and
 * lets this principal read and write the topics it will use.
 *
 * <p>Why: Kafka clients treat an unreachable broker (or one that silently drops a client speaking
 * the wrong protocol) as transient and retry without end, and a Flink job whose sink is refused
 * restarts without end. Checked up front, a wrong password, a missing credential or a missing ACL is
 * one line on the terminal instead. Topics that do not exist yet pass (brokers may create them).
 */
public final class KafkaPreflight {
    /** What a command will do with a topic. */
    public enum Access { READ, WRITE }

    /** How long the check waits for the broker when the settings name no {@code default.api.timeout.ms}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private KafkaPreflight() {}

    /** The timeout the check uses with these settings: their {@code default.api.timeout.ms}, or {@link #DEFAULT_TIMEOUT}. */
    public static Duration timeout(KafkaClientSettings settings) {
        String t = settings.asMap().get(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG);
        try {
            return t == null ? DEFAULT_TIMEOUT : Duration.ofMillis(Math.max(1, Long.parseLong(t)));
        } catch (NumberFormatException e) {
            return DEFAULT_TIMEOUT;
        }
    }

    /**
     * Connects, authenticates and checks the permissions on {@code topics}.
     *
     * @throws IOException with a one-line message naming the broker (and the mechanism when it is
     *     about credentials) when Kafka does not answer within {@link #timeout}, refuses the
     *     credentials, or denies an access the command needs
     */
    public static void check(String bootstrapServers, KafkaClientSettings settings, Map<String, Access> topics) throws IOException {
        Duration timeout = timeout(settings);
        int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        Properties p = settings.forClient(bootstrapServers);
        p.putIfAbsent(AdminClientConfig.CLIENT_ID_CONFIG, "spikestream-preflight");
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.min(ms, 30_000)));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ms));
        Admin admin;
        try {
            admin = Admin.create(p);
        } catch (RuntimeException e) {
            String auth = settings.describeFailure(e, bootstrapServers);
            throw new IOException(auth != null ? auth : "cannot create a Kafka client for " + bootstrapServers
                    + " with these settings (" + settings.describeSecurity() + "): " + e.getMessage(), e);
        }
        try {
            try {
                await(admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms)).nodes(), timeout, bootstrapServers, settings,
                        "connecting");
            } catch (UnknownTopic impossible) {
                throw new IllegalStateException("describeCluster answered with an unknown topic", impossible);
            }
            if (topics.isEmpty()) {
                return;
            }
            Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(List.copyOf(topics.keySet()),
                    new DescribeTopicsOptions().includeAuthorizedOperations(true).timeoutMs(ms)).topicNameValues();
            List<String> denied = new ArrayList<>();
            for (Map.Entry<String, Access> e : new LinkedHashMap<>(topics).entrySet()) {
                TopicDescription d;
                try {
                    d = await(described.get(e.getKey()), timeout, bootstrapServers, settings, "describing topic " + e.getKey());
                } catch (TopicDenied t) {
                    denied.add("DESCRIBE on topic '" + e.getKey() + "'");
                    continue;
                } catch (UnknownTopic u) {
                    continue; // may be created on first use
                }
                Set<AclOperation> ops = d.authorizedOperations();
                if (ops == null || ops.contains(AclOperation.ALL)) {
                    continue; // the broker did not say: the clients will find out
                }
                AclOperation need = e.getValue() == Access.READ ? AclOperation.READ : AclOperation.WRITE;
                if (!ops.contains(need)) {
                    denied.add(need.name() + " on topic '" + e.getKey() + "'");
                }
            }
            if (!denied.isEmpty()) {
                throw new IOException("Kafka at " + bootstrapServers + " does not allow " + principal(settings) + " "
                        + String.join(" and ", denied) + " (" + settings.describeSecurity() + "); grant it with an ACL");
            }
        } finally {
            admin.close(Duration.ofSeconds(2));
        }
    }

    private static String principal(KafkaClientSettings settings) {
        return settings.saslUser() != null ? "user '" + settings.saslUser() + "'" : "this client's principal";
    }

    /** A topic this principal may not even describe. */
    private static final class TopicDenied extends UnknownTopic {
        private static final long serialVersionUID = 1L;
    }

    /** A topic the broker does not know (yet). */
    private static class UnknownTopic extends Exception {
        private static final long serialVersionUID = 1L;
    }

    private static <T> T await(KafkaFuture<T> f, Duration timeout, String bootstrap, KafkaClientSettings settings, String what)
            throws IOException, UnknownTopic {
        try {
            // the admin call times out on its own; the extra second only guards against a call that never completes
            return f.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while " + what + " at Kafka " + bootstrap, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof UnknownTopicOrPartitionException) {
                throw new UnknownTopic();
            }
            if (cause instanceof org.apache.kafka.common.errors.TopicAuthorizationException) {
                throw new TopicDenied();
            }
            String auth = settings.describeFailure(cause, bootstrap);
            if (auth != null) {
                throw new IOException(auth, cause);
            }
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException || cause instanceof java.util.concurrent.TimeoutException) {
                throw new IOException("no answer from Kafka at " + bootstrap + " within " + timeout.toMillis() + " ms while " + what
                        + " (" + settings.describeSecurity() + "): is it running and reachable, and are these the security "
                        + "settings it expects (--kafka-config)?", cause);
            }
            throw new IOException("Kafka at " + bootstrap + " failed while " + what + ": " + cause.getMessage(), cause);
        }
    }
}
