package io.spikestream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The check before a command starts its clients, on a broker without an authorizer (the local
 * cluster, the drills): existing and missing topics pass; an unreachable broker fails in bounded
 * time with one line. The secured cases are in the pipeline's {@code SecuredKafkaTest}.
 */
class KafkaPreflightTest {
    @Test
    void aBrokerWithoutAuthorizerAllowsEverything() throws IOException {
        LocalKafkaBroker kafka = LocalKafkaBroker.shared();
        kafka.createTopic("preflight-in", 1);
        Map<String, KafkaPreflight.Access> topics = new LinkedHashMap<>();
        topics.put("preflight-in", KafkaPreflight.Access.READ);
        topics.put("preflight-not-created-yet", KafkaPreflight.Access.WRITE);
        assertDoesNotThrow(() -> KafkaPreflight.check(kafka.bootstrapServers(), KafkaClientSettings.NONE, topics));
    }

    @Test
    void anUnreachableBrokerFailsInBoundedTimeWithOneLine() {
        KafkaClientSettings quick = KafkaClientSettings.of(Map.of("default.api.timeout.ms", "2000"));
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class,
                () -> KafkaPreflight.check("127.0.0.1:1", quick, Map.of("t", KafkaPreflight.Access.READ)));
        assertTrue(System.nanoTime() - start < 20_000_000_000L, "took more than 20 s");
        assertTrue(e.getMessage().startsWith("no answer from Kafka at 127.0.0.1:1 within 2000 ms")
                && !e.getMessage().contains("\n"), e.getMessage());
        assertTrue(List.of(e.getMessage().split(" ")).contains("PLAINTEXT):"), e.getMessage());
    }
}
