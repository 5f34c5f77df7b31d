package io.spikestream.cli;

import static io.spikestream.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spikestream.cli.Cli.Run;
import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.connectors.recording.gesture.GestureClasses;
import io.spikestream.connectors.recording.gesture.GestureDataset;
import io.spikestream.connectors.recording.gesture.GestureLabel;
import io.spikestream.connectors.recording.gesture.GestureRecording;
import io.spikestream.pipeline.job.TestModels;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled demo recording cut to its first 5,000 bytes, as issue #14 tried it: every command
 * keeps the complete events before the cut and says what was lost (info in its JSON, the others
 * in one warning line, exit 0); {@code --strict} gives back the error of before (exit 1).
 */
class TruncatedRecordingCommandsTest {
    static final Path BUNDLED = Path.of("src/main/resources/io/spikestream/bundled");
    static final Path DEMO = BUNDLED.resolve("demo.aedat");
    /** The error `info` printed for this cut before (issue #14). */
    static final String ERROR = "at byte 4997: truncated polarity packet: 64928 events missing";

    @TempDir Path dir;

    private Path cutDemo() throws IOException {
        Path cut = dir.resolve("trunc.aedat");
        Files.write(cut, Arrays.copyOf(Files.readAllBytes(DEMO), 5000));
        return cut;
    }

    private static EventBatch read(Path f) throws IOException {
        EventBatch all = new EventBatch();
        EventBatch b = new EventBatch();
        try (EventReader r = Recordings.open(f)) {
            while (r.read(b, 10_000)) {
                all.addAll(b, 0, b.size());
            }
        }
        return all;
    }

    /** The one warning line of a run, checked to carry the facts of the cut. */
    private static String warning(Run r, Path cut) {
        List<String> lines = r.err().lines().filter(l -> l.startsWith("warning: ")).toList();
        assertEquals(1, lines.size(), r.err());
        String w = lines.get(0);
        assertTrue(w.contains(cut + " is truncated " + ERROR) && w.contains("events lost: 64928"), w);
        return w;
    }

    private static void assertStrictError(Run r, String command, Path cut) {
        assertEquals(Main.FAILURE, r.exit(), r.err());
        assertEquals("spikestream " + command + ": " + cut + " " + ERROR, r.err().strip());
    }

    @Test
    void infoDescribesWhatWasReadAndWhereTheFileWasCut() throws IOException {
        Path cut = cutDemo();
        Run r = run("info", cut.toString());
        assertEquals(Main.OK, r.exit(), r.err());
        assertEquals("", r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        // 105 header bytes and a 28-byte packet header, then 608 whole 8-byte events up to byte 4997
        assertEquals(608, j.get("events").asLong());
        EventBatch whole = read(DEMO);
        assertEquals(whole.t(607), j.get("t_last_us").asLong());
        assertEquals(whole.t(0), j.get("t_first_us").asLong());
        JsonNode t = j.get("truncated");
        assertEquals(4997, t.get("at_byte").asLong());
        assertEquals(64928, t.get("events_lost").asLong());
        assertEquals("truncated polarity packet: 64928 events missing", t.get("reason").asText());
        assertTrue(new ObjectMapper().readTree(run("info", DEMO.toString()).out()).get("truncated").isNull());

        assertStrictError(run("info", cut.toString(), "--strict"), "info", cut);
    }

    @Test
    void convertKeepsTheEventsBeforeTheCutAndWarnsOnce() throws IOException {
        Path cut = cutDemo();
        Path out = dir.resolve("out.aedat4");
        Run r = run("convert", cut.toString(), out.toString());
        assertEquals(Main.OK, r.exit(), r.err());
        assertTrue(r.err().contains("converted 608 events"), r.err());
        warning(r, cut);
        EventBatch converted = read(out);
        EventBatch whole = read(DEMO);
        EventBatch prefix = new EventBatch();
        prefix.addAll(whole, 0, 608);
        assertTrue(prefix.sameEvents(converted));

        Path strictOut = dir.resolve("strict.csv");
        assertStrictError(run("convert", cut.toString(), strictOut.toString(), "--strict"), "convert", cut);
        assertFalse(Files.exists(strictOut), "a failed conversion leaves no file");
    }

    @Test
    void renderDrawsTheEventsBeforeTheCutAndWarnsOnce() throws IOException {
        Path cut = cutDemo();
        Run r = run("render", cut.toString(), "--out", dir.resolve("cut").toString());
        assertEquals(Main.OK, r.exit(), r.err());
        assertTrue(r.out().contains("608 events"), r.out());
        warning(r, cut);
        assertTrue(Files.size(dir.resolve("cut.png")) > 0 && Files.size(dir.resolve("cut.gif")) > 0);
        assertStrictError(run("render", cut.toString(), "--out", dir.resolve("strict").toString(), "--strict"), "render", cut);
    }

    @Test
    void replayWarnsBeforePublishingAndStrictFailsBeforeConnecting() throws IOException {
        Path cut = cutDemo();
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String broker = "127.0.0.1:" + closedPort;
        assertStrictError(run("replay", cut.toString(), "--bootstrap-servers", broker, "--topic", "events", "--strict"), "replay", cut);
        // without --strict the warning comes from the first pass, before anything is published
        // (here to a broker that is not there, so the run then fails on delivery)
        Run r = run("replay", cut.toString(), "--bootstrap-servers", broker, "--topic", "events", "--max-speed",
                "--delivery-timeout-ms", "1500", "--no-progress");
        String w = warning(r, cut);
        assertTrue(r.err().indexOf(w) < r.err().indexOf("spikestream replay:"), r.err());
    }

    @Test
    void classifyWarnsAndClassifiesWhatWasRead() throws IOException {
        Path cut = cutDemo();
        // a tiny model: what is under test is the reading, not the network
        Path model = TestModels.tiny(dir.resolve("m.safetensors"), ClassifyCommandTest.SPEC, 3, GestureClasses.NAMES);
        Run r = run("classify", cut.toString(), "--model", model.toString());
        assertEquals(Main.OK, r.exit(), r.err());
        warning(r, cut);
        assertTrue(r.out().contains("1 recording(s)"), r.out());
        assertStrictError(run("classify", cut.toString(), "--model", model.toString(), "--strict"), "classify", cut);
    }

    @Test
    void trainWarnsAndTrainsOnWhatWasReadAndStrictFailsBeforeLoading() throws IOException {
        Path data = Files.createDirectories(dir.resolve("gestures"));
        EventBatch events = new EventBatch();
        Random rnd = new Random(3);
        long t = 0;
        for (int i = 0; i < 5_000; i++) {
            events.add(t += rnd.nextInt(40), rnd.nextInt(128), rnd.nextInt(128), rnd.nextInt(2));
        }
        GestureRecording rec = GestureDataset.write(data, 1, "lab", new SensorGeometry(128, 128),
                List.of(new GestureLabel(0, 1_000, 150_000)), w -> w.write(events));
        byte[] all = Files.readAllBytes(rec.aedat());
        Files.write(rec.aedat(), Arrays.copyOf(all, all.length - 3));
        Path card = Files.writeString(dir.resolve("tiny.card.json"), TrainCommandTest.TINY_CARD);
        String[] args = {"train", "--data", data.toString(), "--card", card.toString(), "--epochs", "1", "--frames", "4",
                "--dt-us", "10000", "--size", "16", "--train-users", "1", "--test-users", "2", "--no-progress",
                "--out", dir.resolve("m.safetensors").toString()};
        Run strict = run(concat(args, "--strict"));
        assertEquals(Main.FAILURE, strict.exit(), strict.err());
        assertEquals("spikestream train: " + rec.aedat() + " at byte " + (all.length - 8)
                + ": truncated polarity packet: 1 events missing", strict.err().strip());
        Run r = run(args);
        assertEquals(Main.OK, r.exit(), r.err());
        List<String> warnings = r.err().lines().filter(l -> l.startsWith("warning: ")).toList();
        assertEquals(List.of("warning: " + rec.aedat() + " is truncated at byte " + (all.length - 8)
                + ": truncated polarity packet: 1 events missing; events lost: 1;"
                + " every complete event before the cut was read (--strict makes this an error)"), warnings);
        assertTrue(r.out().contains("epoch 1/1"), r.out());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
