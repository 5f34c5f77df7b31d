package io.spikestream.cli;

import io.spikestream.connectors.kafka.KafkaClientSettings;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.RecordingSummary;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.connectors.recording.Truncation;
import io.spikestream.connectors.replay.ProgressListener;
import io.spikestream.connectors.replay.ReplayOptions;
import io.spikestream.connectors.replay.ReplayProgress;
import io.spikestream.connectors.replay.ReplaySource;
import io.spikestream.connectors.replay.ReplaySummary;
import io.spikestream.connectors.replay.Replayer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spikestream replay FILE... --bootstrap-servers H:P --topic T}: publishes recordings to Kafka
 * as EventPackets keyed by sensor id (one sensor per file), paced to event time × speed, with a progress bar on stderr and
 * a summary (one JSON line on stdout, one readable line on stderr). Delivery is checked packet by
 * packet: a broker that goes away fails the command (exit 1) after the delivery timeout.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = {"Publish a recording to Kafka as EventPackets keyed by sensor id, paced to event time x speed.",
                "Prints progress on stderr and a summary: one JSON line on stdout (events, packets, bytes,",
                "events_per_second, max_lag_ms, ...) and one readable line on stderr.",
                "The producer is idempotent (acks=all); undelivered packets fail the command after the delivery timeout."})
public final class ReplayCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "the recording (any format `info` reads); several files replay as several sensors")
    List<Path> files;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,HOST:PORT...]", description = "Kafka brokers")
    String bootstrapServers;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "topic to publish to")
    String topic;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Pace pace = new Pace();

    /** Either a speed factor or no pacing at all. */
    static final class Pace {
        @Option(names = "--speed", paramLabel = "X", description = "event time runs X times faster than wall time (default 1)")
        Double speed;

        @Option(names = "--max-speed", description = "publish as fast as the broker accepts")
        boolean maxSpeed;
    }

    @Option(names = "--sensor-id", paramLabel = "ID", description = {"Kafka key and sensor id (default: the file name without extension);",
            "repeat it once per FILE when replaying several"})
    List<String> sensorIds;

    @Option(names = "--packet-us", paramLabel = "N", defaultValue = "1000", description = "event time per packet in µs (default ${DEFAULT-VALUE})")
    long packetUs;

    @Option(names = "--max-packet-events", paramLabel = "N", defaultValue = "32768", description = "most events per packet (default ${DEFAULT-VALUE})")
    int maxPacketEvents;

    @Option(names = "--delivery-timeout-ms", paramLabel = "MS", defaultValue = "120000",
            description = "how long the producer retries a packet before giving up (default ${DEFAULT-VALUE})")
    long deliveryTimeoutMs;

    @Option(names = "--compression", paramLabel = "TYPE", defaultValue = "none",
            description = "producer compression: none, gzip, snappy, lz4 or zstd (default ${DEFAULT-VALUE})")
    String compression;

    @Option(names = "--no-progress", description = "no progress bar")
    boolean noProgress;

    @CommandLine.Mixin
    KafkaOptions kafkaOptions = new KafkaOptions();

    @Option(names = "--strict", description = Truncation.STRICT_HELP)
    boolean strict;

    @Override
    public Integer call() throws IOException {
        for (Path file : files) {
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw usage((Files.exists(file) ? "cannot read: " : "no such file: ") + file);
            }
        }
        ReplayOptions options = options();
        List<String> sensors = sensorIds();
        KafkaClientSettings kafka = kafkaOptions.settings();

        // a first streaming pass gives the totals the progress bar needs ("% of recording")
        // and finds recordings cut short before anything is published
        PrintWriter err = spec.commandLine().getErr();
        long total = 0;
        for (Path file : files) {
            try (EventReader r = Recordings.open(file)) {
                RecordingSummary s = RecordingSummary.scan(r);
                total += s.events();
                Truncation.report(s.truncation(), strict, err);
            }
        }
        ProgressBar bar = new ProgressBar(err, total);
        ReplaySummary summary;
        List<EventReader> readers = new ArrayList<>();
        try {
            List<ReplaySource> sources = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                EventReader r = Recordings.open(files.get(i));
                readers.add(r);
                sources.add(new ReplaySource(sensors.get(i), r));
            }
            summary = Replayer.replay(sources, options, bootstrapServers, kafka, noProgress ? ProgressListener.NONE : bar);
        } finally {
            bar.finish();
            for (EventReader r : readers) {
                r.close();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(summary.toJson());
        out.flush();
        err.println(summary.describe());
        err.flush();
        return Main.OK;
    }

    private List<String> sensorIds() {
        List<String> ids = new ArrayList<>();
        if (sensorIds == null) {
            for (Path f : files) {
                ids.add(defaultSensorId(f));
            }
        } else if (sensorIds.size() != files.size()) {
            throw usage("give --sensor-id once per FILE: " + sensorIds.size() + " for " + files.size() + " files");
        } else {
            ids.addAll(sensorIds);
        }
        if (ids.stream().anyMatch(String::isBlank)) {
            throw usage("--sensor-id must not be empty");
        }
        if (new HashSet<>(ids).size() != ids.size()) {
            throw usage("two recordings would publish as the same sensor id " + ids + "; set --sensor-id for each FILE");
        }
        return ids;
    }

    private ReplayOptions options() {
        double speed = pace.maxSpeed ? ReplayOptions.MAX_SPEED : pace.speed == null ? 1.0 : pace.speed;
        if (!pace.maxSpeed && !(speed > 0 && Double.isFinite(speed))) {
            throw usage("--speed must be a number > 0 (or use --max-speed), got " + pace.speed);
        }
        if (packetUs < 1) {
            throw usage("--packet-us must be >= 1, got " + packetUs);
        }
        if (maxPacketEvents < 1 || maxPacketEvents > 1 << 20) {
            throw usage("--max-packet-events must be in [1, 1048576], got " + maxPacketEvents);
        }
        if (deliveryTimeoutMs < 1) {
            throw usage("--delivery-timeout-ms must be >= 1, got " + deliveryTimeoutMs);
        }
        if (topic.isBlank()) {
            throw usage("--topic must not be empty");
        }
        for (String server : bootstrapServers.split(",")) {
            int colon = server.lastIndexOf(':');
            if (colon <= 0 || !server.substring(colon + 1).matches("\\d{1,5}")
                    || Integer.parseInt(server.substring(colon + 1)) > 65535) {
                throw usage("--bootstrap-servers wants HOST:PORT[,HOST:PORT...], got '" + bootstrapServers + "'");
            }
        }
        if (!ReplayOptions.COMPRESSIONS.contains(compression)) {
            throw usage("--compression must be one of " + String.join(", ", ReplayOptions.COMPRESSIONS) + ", got '" + compression + "'");
        }
        return new ReplayOptions(topic, speed, packetUs, maxPacketEvents, Duration.ofMillis(deliveryTimeoutMs), compression);
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    static String defaultSensorId(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    /** A one-line progress bar redrawn in place on stderr. */
    static final class ProgressBar implements ProgressListener {
        private static final int WIDTH = 30;
        private final PrintWriter err;
        private final long total;
        private boolean drawn;

        ProgressBar(PrintWriter err, long total) {
            this.err = err;
            this.total = total;
        }

        @Override
        public void onProgress(ReplayProgress p) {
            double fraction = total == 0 ? 1 : Math.min(1, (double) p.events() / total);
            int filled = (int) Math.round(fraction * WIDTH);
            err.print(String.format(Locale.ROOT, "\r[%s%s] %5.1f%%  %,d/%,d events  %,.0f events/s  lag %.1f ms ",
                    "#".repeat(filled), "-".repeat(WIDTH - filled), 100 * fraction, p.events(), total,
                    p.eventsPerSecond(), p.lagMs()));
            err.flush();
            drawn = true;
        }

        void finish() {
            if (drawn) {
                err.println();
                err.flush();
                drawn = false;
            }
        }
    }
}
