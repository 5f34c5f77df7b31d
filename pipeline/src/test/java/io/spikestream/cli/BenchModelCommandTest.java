package io.spikestream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spikestream.model.ModelCard;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchModelCommandTest {
    @TempDir Path dir;

    @Test
    void printsOneJsonObjectWithThroughputMemoryAndStateSize() throws Exception {
        ModelCard card = ModelCard.of(2, 11, new ModelCard.Stem(ModelCard.StemType.CONV7, 8),
                List.of(new ModelCard.Stage(8, 1), new ModelCard.Stage(16, 1)), ModelCard.Shortcut.CONV);
        Path cardFile = dir.resolve("card.json");
        Files.writeString(cardFile, card.toJson());
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        int exit = cl.execute("bench", "model", "--card", cardFile.toString(), "--height", "32", "--width", "32",
                "--batch", "2", "--steps", "4", "--windows", "3", "--warmup", "1");
        assertEquals(Main.OK, exit);
        assertEquals(1, out.toString().strip().lines().count(), out.toString());
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertTrue(json.get("frames_per_s").asDouble() > 0);
        assertTrue(json.get("ms_per_window").asDouble() > 0);
        assertTrue(json.get("gflop_per_s").asDouble() > 0);
        assertTrue(json.get("offheap_peak_bytes").asLong() > 0);
        assertTrue(json.get("heap_peak_bytes").asLong() > 0);
        // counted by hand for this card at 32x32 (the first block of each stage has stride 2).
        // LIF layers [8,16,16], [8,8,8] x 2, [16,4,4] x 2 = 3,584 neurons:
        // 8-byte header + 6 per layer + 4 bytes (f32) and 1 bit per neuron = 8 + 30 + 14,336 + 448
        assertEquals(14_822, json.get("state_bytes_per_sensor").asInt());
        // multiply-accumulates per frame: stem 7x7/2 2->8 at 16x16 = 200,704; conv2_x.0 to 8x8: 2 x 36,864
        // and a 1x1 shortcut 4,096; conv3_x.0 to 4x4: 18,432 + 36,864 and a shortcut 2,048; fc 16 -> 11 = 176;
        // flops = 2 x 336,048
        assertEquals(672_096e-9, json.get("gflop_per_frame").asDouble(), 1e-15);
        assertLayers(json, 1 + 2 * 5 + 2);
    }

    /** Every layer is reported once, with its time, and every conv on spikes with its path and input density. */
    private static void assertLayers(JsonNode json, int expected) {
        JsonNode layers = json.get("layers");
        assertEquals(expected, layers.size(), layers.toString());
        assertEquals("conv1", layers.get(0).get("name").asText());
        assertEquals("fc", layers.get(expected - 1).get("name").asText());
        int spikeConvs = 0;
        for (JsonNode l : layers) {
            assertTrue(l.get("ms_per_window").asDouble() >= 0, l.toString());
            if (l.get("kind").asText().equals("conv-spikes")) {
                spikeConvs++;
                assertTrue(List.of("dense", "sparse", "mixed").contains(l.get("path").asText()), l.toString());
                double d = l.get("input_density").asDouble();
                assertTrue(d >= 0 && d <= 1, l.toString());
                assertTrue(l.has("break_even_density"), l.toString());
            }
        }
        assertEquals(2 * (expected - 3) / 5, spikeConvs);
    }

    @Test
    void framesTheRecordingWithTheModelsOwnFramingAndReportsEveryLayer() throws Exception {
        Path model = BundledModelTest.resource(DemoCommand.BUNDLED_MODEL, dir.resolve("model.safetensors"));
        Path recording = BundledModelTest.resource(DemoCommand.BUNDLED_RECORDING, dir.resolve("demo.aedat"));
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        int exit = cl.execute("bench", "model", "--model", model.toString(), "--input", recording.toString(),
                "--batch", "2", "--windows", "3", "--warmup", "1");
        assertEquals(Main.OK, exit);
        JsonNode json = new ObjectMapper().readTree(out.toString());
        // the bundled model's framing: 64x64 frames, 8 bins per window (its README)
        assertEquals(64, json.get("height").asInt());
        assertEquals(64, json.get("width").asInt());
        assertEquals(8, json.get("steps").asInt());
        assertTrue(json.get("recording_windows").asInt() >= 2, json.toString());
        assertTrue(json.get("spikes_per_neuron").asDouble() > 0, "real events make spikes");
        // bundled card: conv7 stem, 4 stages of 1 block, each with a conv shortcut
        assertLayers(json, 1 + 4 * 5 + 2);
    }

    @Test
    void inputWithoutModelOrBothCardAndModelAreUsageErrors() throws Exception {
        for (String[] args : new String[][] {
            {"bench", "model", "--card", "c.json", "--input", "x.aedat"},
            {"bench", "model", "--card", "c.json", "--model", "m.safetensors", "--height", "8", "--width", "8"},
            {"bench", "model", "--height", "8", "--width", "8"}}) {
            StringWriter err = new StringWriter();
            CommandLine cl = Main.commandLine();
            cl.setErr(new PrintWriter(err));
            assertEquals(Main.USAGE, cl.execute(args), String.join(" ", args));
        }
    }

    @Test
    void benchWithoutSubcommandIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        assertEquals(Main.USAGE, cl.execute("bench"));
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }
}
