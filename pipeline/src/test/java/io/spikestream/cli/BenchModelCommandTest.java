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
        // state: "MSST" + version + element size + layer count (8 bytes), per layer C, H, W as u16 (6 bytes),
        // then per neuron a float32 potential and one spike bit; layers of a 32x32 input (8-ch stem at 16x16):
        // 8x16x16 (conv2_x in), 8x8x8, 8x8x8 (conv3_x in), 16x4x4, 16x4x4 (head)
        int[] neurons = {8 * 16 * 16, 8 * 8 * 8, 8 * 8 * 8, 16 * 4 * 4, 16 * 4 * 4};
        int bytes = 8;
        for (int n : neurons) {
            bytes += 6 + 4 * n + (n + 7) / 8;
        }
        assertEquals(bytes, json.get("state_bytes_per_sensor").asInt());
        // dense FLOPs per frame, by hand: 2 x MACs of every conv + fc
        long macs = 8L * 16 * 16 * 2 * 49 // stem 7x7, 2->8 at 16x16
                + 8L * 8 * 8 * 8 * 9 + 8L * 8 * 8 * 8 * 9 + 8L * 8 * 8 * 8 // conv2_x: 3x3 8->8 at 8x8 twice, 1x1 shortcut
                + 16L * 4 * 4 * 8 * 9 + 16L * 4 * 4 * 16 * 9 + 16L * 4 * 4 * 8 // conv3_x at 4x4
                + 11L * 16; // fc
        assertEquals(2.0 * macs / 1e9, json.get("gflop_per_frame").asDouble(), 1e-3);
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
