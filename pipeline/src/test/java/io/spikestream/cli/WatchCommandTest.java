package io.spikestream.cli;

import static io.spikestream.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.cli.Cli.Run;
import io.spikestream.connectors.kafka.ClassificationSerializer;
import io.spikestream.connectors.kafka.LocalKafkaBroker;
import io.spikestream.pipeline.job.ClassificationResult;
import io.spikestream.schemas.Classification;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** {@code spikestream watch}: committed classifications only, one line each, and its option checks. */
class WatchCommandTest {

    private static Classification classification(String sensor, long window, String className) {
        ClassificationResult r = new ClassificationResult();
        r.sensorId = sensor;
        r.windowIndex = window;
        r.windowStartUs = window * 80_000;
        r.windowEndUs = r.windowStartUs + 80_000;
        r.topClass = 1;
        r.topClassName = className;
        r.probabilities = new float[] {0.25f, 0.75f};
        r.logits = new float[] {0f, 1.1f};
        r.smoothedClass = 1;
        r.smoothedClassName = className;
        r.smoothedProbabilities = r.probabilities;
        r.layerNames = new String[0];
        r.layerRates = new float[0];
        r.modelId = "test";
        return r.toAvro();
    }

    @Test
    void printsOnlyClassificationsOfCommittedTransactions() throws Exception {
        LocalKafkaBroker kafka = LocalKafkaBroker.shared();
        kafka.createTopic("watch-out", 1);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "watch-test");
        try (KafkaProducer<String, Classification> producer = new KafkaProducer<>(p, new StringSerializer(), new ClassificationSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("watch-out", "cam-0", classification("cam-0", 7, "committed-one")));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("watch-out", "cam-0", classification("cam-0", 8, "aborted")));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("watch-out", "cam-1", classification("cam-1", 9, "committed-two")));
            producer.commitTransaction();
        }

        // --max 2 ends the run as soon as two classifications are shown: the aborted one lies between
        // the two committed ones in the log, so it would be the second line if it were shown. The idle
        // timeout only bounds a failing run (its clock starts before the consumer has joined its group).
        Run r = run("watch", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "watch-out", "--from-beginning",
                "--max", "2", "--idle-timeout-ms", "60000");

        assertEquals(Main.OK, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("cam-0") && lines.get(0).contains("window      7") && lines.get(0).contains("committed-one")
                && lines.get(0).contains("75.0 %"), lines.get(0));
        assertTrue(lines.get(1).startsWith("cam-1") && lines.get(1).contains("committed-two"), lines.get(1));
        assertFalse(r.out().contains("aborted"), "a classification of an aborted transaction was shown");
    }

    @Test
    void stopsAfterTheIdleTimeoutWhenNothingArrives() throws Exception {
        LocalKafkaBroker kafka = LocalKafkaBroker.shared();
        kafka.createTopic("watch-empty", 1);
        long start = System.nanoTime();
        Run r = run("watch", "--bootstrap-servers", kafka.bootstrapServers(), "--topic", "watch-empty", "--from-beginning",
                "--idle-timeout-ms", "500");
        double seconds = (System.nanoTime() - start) / 1e9;
        assertEquals(Main.OK, r.exit(), r.err());
        assertEquals("", r.out());
        assertTrue(seconds >= 0.5, "stopped after " + seconds + " s, before the idle timeout");
    }

    @Test
    void refusesANonPositiveMaximum() {
        Run r = run("watch", "--bootstrap-servers", "127.0.0.1:1", "--topic", "t", "--max", "0");
        assertEquals(Main.USAGE, r.exit());
        assertTrue(r.err().contains("--max must be >= 1"), r.err());
    }
}
