package io.spikestream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading, merging and printing Kafka client settings: overrides win, secrets never show. */
class KafkaClientSettingsTest {
    static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\" password=\"s3cr3t\";";

    @TempDir
    Path dir;

    @Test
    void fileThenOverridesWithTheCommandLineWinning() throws IOException {
        Path f = dir.resolve("k.properties");
        Files.writeString(f, "security.protocol=SASL_SSL\nsasl.mechanism=SCRAM-SHA-256\nsasl.jaas.config=" + JAAS.replace("\"", "\\\"") + "\n");
        KafkaClientSettings s = KafkaClientSettings.load(f, List.of("sasl.mechanism=SCRAM-SHA-512", "client.id=a=b"));
        assertEquals("SASL_SSL", s.asMap().get("security.protocol"));
        assertEquals("SCRAM-SHA-512", s.asMap().get("sasl.mechanism"));
        assertEquals("a=b", s.asMap().get("client.id"), "only the first '=' separates key and value");
        assertEquals(JAAS, s.asMap().get("sasl.jaas.config"));
        assertEquals("security.protocol SASL_SSL, SASL mechanism SCRAM-SHA-512, user 'alice'", s.describeSecurity());
        Properties p = s.forClient("b:9093");
        assertEquals("b:9093", p.get("bootstrap.servers"));
        assertEquals(JAAS, p.get("sasl.jaas.config"));
    }

    @Test
    void secretsArePrintedHidden() {
        KafkaClientSettings s = KafkaClientSettings.of(Map.of("sasl.jaas.config", JAAS, "ssl.key.password", "k3y",
                "ssl.keystore.key", "-----BEGIN PRIVATE KEY-----", "basic.auth.user.info", "u:p", "sasl.oauthbearer.token.endpoint.url",
                "https://idp", "client.id", "spikestream"));
        String printed = s.toString() + s.redacted();
        for (String secret : List.of("s3cr3t", "k3y", "PRIVATE KEY", "u:p")) {
            assertFalse(printed.contains(secret), printed);
        }
        assertTrue(s.redacted().contains("client.id=spikestream"), s.redacted());
        assertTrue(s.redacted().contains("sasl.jaas.config=[hidden]"), s.redacted());
    }

    @Test
    void scrubHidesSecretPairsInFreeText() {
        String echoed = "Unmatched argument at index 3: 'sasl.jaas.config=" + JAAS + "'; ssl.key.password=k3y, client.id=x";
        String scrubbed = KafkaClientSettings.scrub(echoed);
        assertFalse(scrubbed.contains("s3cr3t") || scrubbed.contains("k3y"), scrubbed);
        assertTrue(scrubbed.contains("sasl.jaas.config=[hidden]") && scrubbed.contains("client.id=x"), scrubbed);
        assertEquals("nothing secret here", KafkaClientSettings.scrub("nothing secret here"));
    }

    @Test
    void badInputIsReportedWithoutItsValue() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KafkaClientSettings.load(null, List.of("a=1", "password-without-key")));
        assertEquals("--kafka-property wants KEY=VALUE; the 2nd one has no key before '='", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KafkaClientSettings.load(null, List.of("=s3cr3t")));
        IOException missing = assertThrows(IOException.class, () -> KafkaClientSettings.load(dir.resolve("none"), null));
        assertTrue(missing.getMessage().contains("no such Kafka client settings file"), missing.getMessage());
    }

    @Test
    void authenticationAndAuthorizationFailuresBecomeOneLineNamingBrokerAndMechanism() {
        KafkaClientSettings s = KafkaClientSettings.of(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "PLAIN",
                "sasl.jaas.config", JAAS));
        String auth = s.describeFailure(new RuntimeException("wrapped",
                new SaslAuthenticationException("Authentication failed:\n invalid credentials")), "b1:9093");
        assertEquals("Kafka at b1:9093 refused the credentials (security.protocol SASL_SSL, SASL mechanism PLAIN, user 'alice'): "
                + "Authentication failed: invalid credentials", auth);
        String denied = s.describeFailure(new TopicAuthorizationException("Not authorized to access topics: [out]"), "b1:9093");
        assertTrue(denied.startsWith("Kafka at b1:9093 denied access"), denied);
        assertNull(s.describeFailure(new IllegalStateException("other"), "b1:9093"));
        assertNull(KafkaClientSettings.NONE.saslMechanism());
        assertEquals("security.protocol PLAINTEXT", KafkaClientSettings.NONE.describeSecurity());
    }
}
