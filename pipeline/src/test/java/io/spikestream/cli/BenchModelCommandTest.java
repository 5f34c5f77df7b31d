package io.spikestream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spikestream.model.ModelCard;
import io.spikestream.model.ModelWeights;
import io.spikestream.model.MsResNet;
import io.spikestream.model.Precision;
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
        MsResNet net = new MsResNet(card, ModelWeights.random(card, 1), Precision.F32);
        assertEquals(net.newState(32, 32).serializedBytes(), json.get("state_bytes_per_sensor").asInt());
        assertEquals(net.flopsPerFrame(32, 32) / 1e9, json.get("gflop_per_frame").asDouble(), 1e-3);
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
