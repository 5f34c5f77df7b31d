package io.spikestream.connectors.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.SslAuthenticationException;

/**
 * Kafka client settings the user gives (a Java properties file, then {@code KEY=VALUE} overrides)
 * for every client a command creates: consumers, producers, admin clients and the job's source and
 * sinks. They carry what a secured cluster needs ({@code security.protocol}, {@code sasl.*},
 * {@code ssl.*}) and any tuning.
 *
 * <p>Why one type: the same settings must reach every client, and secrets in them (passwords, JAAS
 * lines, tokens) must never be printed. {@link #toString()} and {@link #redacted()} show secret
 * values as {@value #HIDDEN}, so logging the settings is safe; {@link #describeFailure} turns the
 * client's authentication and authorization errors into one line naming the broker and mechanism.
 */
public final class KafkaClientSettings {
    /** What a secret value is printed as. */
    public static final String HIDDEN = "[hidden]";
    /** No settings: plaintext, client defaults. */
    public static final KafkaClientSettings NONE = new KafkaClientSettings(Map.of());

    // key fragments that mark a value as secret (Kafka's PASSWORD-typed keys and the usual credential names)
    private static final List<String> SECRET_MARKS = List.of("password", "secret", "jaas", "token", "credential",
            "user.info", "keystore.key", "private", "apikey", "api.key");
    private static final Pattern JAAS_USER = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

    private final Map<String, String> properties;

    private KafkaClientSettings(Map<String, String> properties) {
        this.properties = Collections.unmodifiableMap(new TreeMap<>(properties));
    }

    /** The given settings (copied). */
    public static KafkaClientSettings of(Map<String, String> properties) {
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank() || e.getValue() == null) {
                throw new IllegalArgumentException("Kafka client settings need a key and a value for each entry");
            }
        }
        return new KafkaClientSettings(properties);
    }

    /**
     * Settings from a properties file (may be null) with {@code KEY=VALUE} overrides applied on top
     * (may be null or empty). Error messages never repeat a value.
     *
     * @throws IOException when the file cannot be read
     * @throws IllegalArgumentException when an override is not {@code KEY=VALUE}
     */
    public static KafkaClientSettings load(Path file, List<String> overrides) throws IOException {
        Map<String, String> map = new TreeMap<>();
        if (file != null) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new IOException((Files.exists(file) ? "cannot read Kafka client settings " : "no such Kafka client settings file: ") + file);
            }
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IllegalArgumentException e) {
                // Properties.load's message can quote the offending line, which may hold a secret
                throw new IOException("Kafka client settings file " + file + " is not a valid properties file");
            }
            for (String key : p.stringPropertyNames()) {
                map.put(key.trim(), p.getProperty(key).trim());
            }
        }
        if (overrides != null) {
            int i = 0;
            for (String kv : overrides) {
                i++;
                int eq = kv.indexOf('=');
                if (eq <= 0 || kv.substring(0, eq).isBlank()) {
                    throw new IllegalArgumentException("--kafka-property wants KEY=VALUE; the " + ordinal(i) + " one has no key before '='");
                }
                map.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
            }
        }
        return new KafkaClientSettings(map);
    }

    private static String ordinal(int i) {
        return i + (i % 100 >= 11 && i % 100 <= 13 ? "th" : switch (i % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        });
    }

    /** The settings, sorted by key (unmodifiable; holds the secrets: never print it). */
    public Map<String, String> asMap() {
        return properties;
    }

    public boolean isEmpty() {
        return properties.isEmpty();
    }

    /** Puts every setting into {@code target} (replacing what it held for those keys) and returns it. */
    public Properties applyTo(Properties target) {
        target.putAll(properties);
        return target;
    }

    /** New client properties: these settings with {@code bootstrap.servers} set to the given brokers. */
    public Properties forClient(String bootstrapServers) {
        Properties p = applyTo(new Properties());
        p.put("bootstrap.servers", bootstrapServers);
        return p;
    }

    /** True when the value of {@code key} must not be shown (passwords, JAAS lines, tokens, private keys). */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        for (String mark : SECRET_MARKS) {
            if (k.contains(mark)) {
                return true;
            }
        }
        return false;
    }

    /** The settings as {@code key=value, ...} with secret values shown as {@value #HIDDEN}. */
    public String redacted() {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (b.length() > 0) {
                b.append(", ");
            }
            b.append(e.getKey()).append('=').append(isSecret(e.getKey()) ? HIDDEN : e.getValue());
        }
        return b.toString();
    }

    /** As {@link #redacted()}: printing the settings never shows a secret. */
    @Override
    public String toString() {
        return "KafkaClientSettings{" + redacted() + "}";
    }

    // KEY=VALUE or KEY="VALUE" pairs in free text whose key is a secret, and JAAS password="..." options
    private static final Pattern SECRET_PAIR = Pattern.compile(
            "([A-Za-z0-9_.\\-]*(?:password|secret|jaas|token|credential|user\\.info|keystore\\.key|private|apikey|api\\.key)"
                    + "[A-Za-z0-9_.\\-]*)\\s*=\\s*(\"[^\"]*\"|[^\\s,']+(?:[^,']*;)?)", Pattern.CASE_INSENSITIVE);

    /**
     * {@code text} with the values of secret-looking {@code key=value} pairs replaced by
     * {@value #HIDDEN}: for messages that may quote a command line (a misspelt option echoes its
     * argument).
     */
    public static String scrub(String text) {
        return text == null ? null : SECRET_PAIR.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "=" + HIDDEN));
    }

    /** The security protocol the clients use ({@code PLAINTEXT} unless set). */
    public String securityProtocol() {
        return properties.getOrDefault("security.protocol", "PLAINTEXT").toUpperCase(Locale.ROOT);
    }

    /** The SASL mechanism, or null when the protocol is not SASL. */
    public String saslMechanism() {
        return securityProtocol().startsWith("SASL") ? properties.getOrDefault("sasl.mechanism", "GSSAPI") : null;
    }

    /** The user name in the JAAS line ({@code username="..."}), or null: not secret, and it names the principal in errors. */
    public String saslUser() {
        String jaas = properties.get("sasl.jaas.config");
        if (jaas == null) {
            return null;
        }
        Matcher m = JAAS_USER.matcher(jaas);
        return m.find() ? m.group(1) : null;
    }

    /** How the clients authenticate, for messages: {@code security.protocol SASL_SSL, SASL mechanism SCRAM-SHA-512, user 'alice'}. */
    public String describeSecurity() {
        StringBuilder b = new StringBuilder("security.protocol ").append(securityProtocol());
        if (saslMechanism() != null) {
            b.append(", SASL mechanism ").append(saslMechanism());
        }
        if (saslUser() != null) {
            b.append(", user '").append(saslUser()).append('\'');
        }
        return b.toString();
    }

    /**
     * One line for a client failure that is about credentials or permissions, naming the broker and
     * the mechanism; null when {@code failure} (or its causes) is neither.
     */
    public String describeFailure(Throwable failure, String bootstrapServers) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SslAuthenticationException) {
                return "TLS handshake with Kafka at " + bootstrapServers + " failed (" + describeSecurity() + "): " + oneLine(t);
            }
            if (t instanceof AuthenticationException) {
                return "Kafka at " + bootstrapServers + " refused the credentials (" + describeSecurity() + "): " + oneLine(t);
            }
            if (t instanceof AuthorizationException) {
                return "Kafka at " + bootstrapServers + " denied access (" + describeSecurity() + "): " + oneLine(t);
            }
        }
        return null;
    }

    private static String oneLine(Throwable t) {
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }
}
