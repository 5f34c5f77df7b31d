package io.spikestream.cli;

import static io.spikestream.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spikestream.cli.Cli.Run;
import io.spikestream.connectors.kafka.LocalKafkaBroker;
import io.spikestream.testkit.SharedData;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** {@code spikestream replay}: option validation and a replay of a real recording into a broker started here. */
class ReplayCommandTest {



    static Path recording(String name) {
        return SharedData.real(name);
    }

    private static void assertUsageError(String expected, String... args) {
        Run r = run(args);
        assertEquals(Main.USAGE, r.exit(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(expected), r.err());
    }

    @Test
    void invalidOptionsAreOneLineUsageErrors() throws IOException {
        Path f = Files.createTempFile("replay", ".csv");
        try {
            Files.writeString(f, "t,x,y,p\n1,2,3,1\n");
            String file = f.toString();
            assertUsageError("--speed must be a number > 0", "replay", file, "--bootstrap-servers", "h:9092", "--topic", "t", "--speed", "0");
            assertUsageError("--speed must be a number > 0", "replay", file, "--bootstrap-servers", "h:9092", "--topic", "t", "--speed", "-2");
            assertUsageError("mutually exclusive", "replay", file, "--bootstrap-servers", "h:9092", "--topic", "t", "--speed", "2", "--max-speed");
            assertUsageError("--packet-us must be >= 1", "replay", file, "--bootstrap-servers", "h:9092", "--topic", "t", "--packet-us", "0");
            assertUsageError("--bootstrap-servers wants HOST:PORT", "replay", file, "--bootstrap-servers", "localhost", "--topic", "t");
            assertUsageError("--topic", "replay", file, "--bootstrap-servers", "h:9092");
            assertUsageError("no such file", "replay", file + ".missing", "--bootstrap-servers", "h:9092", "--topic", "t");
            assertUsageError("speed", "replay", file, "--bootstrap-servers", "h:9092", "--topic", "t", "--speed", "fast");
            assertUsageError("--compression must be one of none, gzip, snappy, lz4, zstd, got 'brotli'", "replay", file, "--bootstrap-servers", "h:9092", "--topic", "t", "--compression", "brotli");
            assertUsageError("give --sensor-id once per FILE: 1 for 2 files", "replay", file, file, "--bootstrap-servers", "h:9092", "--topic", "t", "--sensor-id", "a");
            assertUsageError("same sensor id", "replay", file, file, "--bootstrap-servers", "h:9092", "--topic", "t");
        } finally {
            Files.deleteIfExists(f);
        }
    }

    @Test
    void replaysARealRecordingAndPrintsASummaryThatMatchesTheTopic() throws Exception {
        Path evt2 = recording("prophesee_gen3_evt2_sample.raw");
        LocalKafkaBroker broker = LocalKafkaBroker.shared();
        broker.createTopic("replayed", 2);
        Run r = run("replay", evt2.toString(), "--bootstrap-servers", broker.bootstrapServers(), "--topic", "replayed",
                "--speed", "4", "--sensor-id", "gen3", "--packet-us", "2000");
        assertEquals(Main.OK, r.exit(), r.err());

        List<String> lines = r.out().strip().lines().toList();
        assertEquals(1, lines.size(), r.out());
        JsonNode json = new ObjectMapper().readTree(lines.get(0));
        assertEquals(539_481, json.get("events").asLong()); // per SOURCES.md
        long windows = nonEmptyWindows(evt2, 2000);
        assertEquals(windows, json.get("packets").asLong()); // each 2 ms of events is one packet (all hold < 32768 events)
        assertEquals("replayed", json.get("topic").asText());
        assertTrue(json.get("bytes").asLong() > 8L * 539_481);
        assertTrue(r.err().contains("100.0%"), r.err());
        assertTrue(r.err().contains("replayed 539,481 events in " + windows + " packets"), r.err());

        var partitions = List.of(new TopicPartition("replayed", 0), new TopicPartition("replayed", 1));
        long records = 0;
        for (var info : broker.admin().listOffsets(Map.of(partitions.get(0), OffsetSpec.latest(), partitions.get(1), OffsetSpec.latest()))
                .all().get().values()) {
            records += info.offset();
        }
        assertEquals(windows, records, "every packet the summary counts is in the topic");

        Path evt3 = recording("prophesee_gen41_evt3_sample.raw");
        Run two = run("replay", evt2.toString(), evt3.toString(), "--bootstrap-servers", broker.bootstrapServers(),
                "--topic", "two", "--max-speed", "--sensor-id", "left", "--sensor-id", "right");
        assertEquals(Main.OK, two.exit(), two.err());
        JsonNode both = new ObjectMapper().readTree(two.out().strip());
        assertEquals(2, both.get("sensors").asInt());
        assertEquals(eventCount(evt2) + eventCount(evt3), both.get("events").asLong());
    }

    private static long eventCount(Path file) throws IOException {
        try (var reader = io.spikestream.connectors.recording.Recordings.open(file)) {
            return io.spikestream.connectors.recording.RecordingSummary.scan(reader).events();
        }
    }

    /** Independent count of the packet windows that hold events: distinct (t - t_first) / span. */
    private static long nonEmptyWindows(Path file, long spanUs) throws IOException {
        java.util.Set<Long> windows = new java.util.HashSet<>();
        io.spikestream.connectors.event.EventBatch b = new io.spikestream.connectors.event.EventBatch();
        Long first = null;
        try (var reader = io.spikestream.connectors.recording.Recordings.open(file)) {
            while (reader.read(b, 1 << 16)) {
                for (int i = 0; i < b.size(); i++) {
                    if (first == null) {
                        first = b.t(i);
                    }
                    windows.add(Math.floorDiv(b.t(i) - first, spanUs));
                }
            }
        }
        return windows.size();
    }

    @Test
    void aBrokerThatIsNotThereIsARuntimeFailureWithAClearMessage() throws IOException {
        Path evt2 = recording("prophesee_gen3_evt2_sample.raw");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Run r = run("replay", evt2.toString(), "--bootstrap-servers", "127.0.0.1:" + closedPort, "--topic", "events",
                "--max-speed", "--delivery-timeout-ms", "1500", "--no-progress");
        assertEquals(Main.FAILURE, r.exit(), r.err());
        assertTrue(r.err().contains("topic events is not available"), r.err());
        assertTrue(r.err().contains("127.0.0.1:" + closedPort), r.err());
        assertEquals("", r.out());
    }
}
