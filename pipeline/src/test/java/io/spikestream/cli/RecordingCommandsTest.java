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
import io.spikestream.connectors.recording.EventWriter;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spikestream info} and {@code convert} through the real command line. */
class RecordingCommandsTest {
    @TempDir Path dir;



    static Path real(String name) {
        return SharedData.real(name);
    }

    static JsonNode info(Path f) throws IOException {
        Run r = run("info", f.toString());
        assertEquals(Main.OK, r.exit(), r.err());
        assertEquals(1, r.out().strip().lines().count(), r.out());
        return new ObjectMapper().readTree(r.out());
    }

    @Test
    void infoPrintsOneJsonObjectWithTheStatedStatisticsOfTheEvt2Sample() throws IOException {
        JsonNode j = info(real("prophesee_gen3_evt2_sample.raw"));
        assertEquals("evt2", j.get("format").asText());
        assertEquals(640, j.get("width").asInt());
        assertEquals(480, j.get("height").asInt());
        assertEquals(539_481, j.get("events").asLong());
        assertEquals(367_855, j.get("on").asLong());
        assertEquals(171_626, j.get("off").asLong());
        assertEquals(j.get("t_last_us").asLong() - j.get("t_first_us").asLong(), j.get("duration_us").asLong());
        assertEquals(50_000, j.get("duration_us").asLong());
    }

    @Test
    void infoDetectsTheFormatOfEachRealSample() throws IOException {
        assertEquals("evt3", info(real("prophesee_gen41_evt3_sample.raw")).get("format").asText());
        JsonNode a4 = info(real("dvxplorer_sample.aedat4"));
        assertEquals("aedat4", a4.get("format").asText());
        assertEquals(111_954, a4.get("events").asLong());
        assertEquals(1_605_537_493_718_345L, a4.get("t_first_us").asLong());
        JsonNode nm = info(real("nmnist_sample.bin"));
        assertEquals("nmnist", nm.get("format").asText());
        assertEquals(34, nm.get("width").asInt());
        assertEquals(4_325, nm.get("events").asLong());
        assertEquals(311_175 - 654, nm.get("duration_us").asLong());
    }

    @Test
    void convertKeepsEveryEventThroughEachOutputFormat() throws IOException {
        Path in = real("prophesee_gen41_evt3_sample.raw");
        EventBatch original;
        try (EventReader r = Recordings.open(in)) {
            original = readAll(r);
        }
        for (String ext : new String[] {"aedat", "aedat4", "raw", "csv"}) {
            Path out = dir.resolve("converted." + ext);
            Run r = run("convert", in.toString(), out.toString());
            assertEquals(Main.OK, r.exit(), r.err());
            assertTrue(r.out().isEmpty(), "stdout stays quiet: " + r.out());
            assertTrue(r.err().contains("converted 219596 events"), r.err());
            try (EventReader back = Recordings.open(out)) {
                EventBatch events = readAll(back);
                assertTrue(original.sameEvents(events), ext);
            }
        }
    }

    @Test
    void convertToNmnistOfATooLargeSensorFailsWithOneLineAndLeavesNoFile() throws IOException {
        Path in = real("prophesee_gen3_evt2_sample.raw");
        Path out = dir.resolve("x.bin");
        Run r = run("convert", in.toString(), out.toString());
        assertEquals(Main.FAILURE, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("N-MNIST"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void missingFilesAndUnknownExtensionsAreOneLineUsageErrors() throws IOException {
        Run missing = run("info", dir.resolve("nope.raw").toString());
        assertEquals(Main.USAGE, missing.exit());
        assertEquals(1, missing.err().strip().lines().count(), missing.err());
        assertTrue(missing.err().contains("no such file"), missing.err());

        Path in = dir.resolve("in.csv");
        try (EventWriter w = Recordings.writer(in, new SensorGeometry(10, 10))) {
            EventBatch b = new EventBatch();
            b.add(5, 1, 2, 1);
            w.write(b);
        }
        Run ext = run("convert", in.toString(), dir.resolve("out.mp4").toString());
        assertEquals(Main.USAGE, ext.exit());
        assertEquals(1, ext.err().strip().lines().count(), ext.err());
        assertTrue(ext.err().contains("unknown output extension"), ext.err());

        Run convertMissing = run("convert", dir.resolve("nope.aedat").toString(), dir.resolve("o.csv").toString());
        assertEquals(Main.USAGE, convertMissing.exit());
    }

    @Test
    void aCorruptRecordingIsARuntimeFailureNamingFileAndOffset() throws IOException {
        Path bad = dir.resolve("bad.aedat");
        // a whole packet header with a negative event type: corrupt, not merely cut short
        byte[] header = "#!AER-DAT3.1\r\n#Source 1: DVS128\r\n#!END-HEADER\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] packet = new byte[28];
        java.util.Arrays.fill(packet, (byte) 0xFF);
        Files.write(bad, java.nio.ByteBuffer.allocate(header.length + 28).put(header).put(packet).array());
        Run r = run("info", bad.toString());
        assertEquals(Main.FAILURE, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains(bad + " at byte "), r.err());
    }

    private static EventBatch readAll(EventReader r) throws IOException {
        EventBatch all = new EventBatch();
        EventBatch b = new EventBatch();
        while (r.read(b, 50_000)) {
            all.addAll(b, 0, b.size());
        }
        return all;
    }
}
