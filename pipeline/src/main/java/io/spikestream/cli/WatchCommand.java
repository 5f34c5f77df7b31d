package io.spikestream.cli;

import io.spikestream.connectors.kafka.ClassificationDeserializer;
import io.spikestream.connectors.kafka.KafkaClientSettings;
import io.spikestream.connectors.kafka.KafkaPreflight;
import io.spikestream.schemas.Classification;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikestream watch}: prints the classifications a job has committed to its output topic,
 * one line each, as they become visible. It reads with {@code read_committed}, so it shows exactly
 * what downstream consumers of the exactly-once sink see.
 */
@Command(name = "watch", mixinStandardHelpOptions = true,
        description = "Print committed classifications from a Kafka topic as they arrive (read_committed).")
public final class WatchCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka brokers")
    String bootstrap;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "topic of Avro Classifications")
    String topic;

    @Option(names = "--from-beginning", description = "start at the oldest classification instead of new ones only")
    boolean fromBeginning;

    @Option(names = "--max", paramLabel = "N", description = "stop after N classifications (default: run until interrupted)")
    Long max;

    @Option(names = "--idle-timeout-ms", paramLabel = "MS", description = "stop after this long without a classification (default: never)")
    Long idleTimeoutMs;

    @CommandLine.Mixin
    KafkaOptions kafkaOptions = new KafkaOptions();

    @CommandLine.Mixin
    ViewOptions ui = new ViewOptions();

    @Override
    public Integer call() throws java.io.IOException {
        if (max != null && max < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max must be >= 1");
        }
        if (idleTimeoutMs != null && idleTimeoutMs < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--idle-timeout-ms must be >= 1");
        }
        KafkaClientSettings kafka = kafkaOptions.settings();
        // a consumer retries an unreachable broker (or one that drops a client without credentials) in
        // silence for ever: check first, so that a wrong setting is one line and exit 1
        KafkaPreflight.check(bootstrap, kafka, java.util.Map.of(topic, KafkaPreflight.Access.READ));
        Properties p = kafka.applyTo(new Properties());
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        // a group of its own: watching never takes partitions away from another consumer
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "spikestream-watch-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, fromBeginning ? "earliest" : "latest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        PrintWriter out = spec.commandLine().getOut();
        long seen = 0;
        long lastArrival = System.nanoTime();
        try (io.spikestream.view.LiveView live = ui.start(spec.commandLine().getErr(), "committed classifications", List.of(), null);
             KafkaConsumer<String, Classification> consumer =
                     new KafkaConsumer<>(p, new StringDeserializer(), new ClassificationDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (max == null || seen < max) {
                ConsumerRecords<String, Classification> records;
                try {
                    records = consumer.poll(Duration.ofMillis(200));
                } catch (org.apache.kafka.common.KafkaException e) {
                    String auth = kafka.describeFailure(e, bootstrap);
                    if (auth != null) {
                        throw new java.io.IOException(auth, e);
                    }
                    throw e;
                }
                for (ConsumerRecord<String, Classification> r : records) {
                    out.println(line(r.value()));
                    if (live != null) {
                        live.offer(r.value());
                    }
                    lastArrival = System.nanoTime();
                    if (max != null && ++seen >= max) {
                        break;
                    }
                }
                out.flush();
                if (idleTimeoutMs != null && System.nanoTime() - lastArrival > idleTimeoutMs * 1_000_000L) {
                    break;
                }
            }
        }
        out.flush();
        return Main.OK;
    }

    /** One classification as a line: sensor, window, event time, class, confidence, smoothed class, latency. */
    static String line(Classification c) {
        float confidence = c.getTopClass() >= 0 && c.getTopClass() < c.getProbabilities().size()
                ? c.getProbabilities().get(c.getTopClass()) : Float.NaN;
        return String.format(java.util.Locale.ROOT, "%-12s window %6d  t=%10.3f s  %-16s %5.1f %%  smoothed %-16s latency %.0f ms",
                c.getSensorId(), c.getWindowIndex(), c.getWindowStartUs() / 1e6, c.getTopClassName(), 100 * confidence,
                c.getSmoothedClassName(), c.getLatencyMs());
    }
}
