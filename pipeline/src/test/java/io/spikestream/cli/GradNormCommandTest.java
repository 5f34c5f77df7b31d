package io.spikestream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GradNormCommandTest {
    static final String DEEP_CARD = "{\"arch\":\"ms-resnet\",\"in_channels\":2,\"num_classes\":11,"
            + "\"stem\":{\"type\":\"conv7\",\"channels\":8},\"stages\":[[8,11],[16,11]],\"shortcut\":\"conv\"}";

    static String run(String... args) {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        assertEquals(Main.OK, cl.execute(args), out.toString());
        return out.toString();
    }

    @Test
    void reportsPerBlockNormsWhereMsResNetStaysWithinHalfAndTwoAndTheVanillaGradientDecays(@TempDir Path dir) throws Exception {
        Path card = Files.writeString(dir.resolve("deep.json"), DEEP_CARD);
        JsonNode report = new ObjectMapper().readTree(run("gradnorm", "--card", card.toString(), "--frames", "2", "--batch", "2", "--json", "-"));
        JsonNode ms = report.get("ms_resnet");
        JsonNode vanilla = report.get("vanilla");
        assertEquals(22, ms.get("norms").size());
        assertTrue(ms.get("min_ratio").asDouble() >= 0.5 && ms.get("max_ratio").asDouble() <= 2, ms.toString());
        assertTrue(vanilla.get("first_over_last").asDouble() < 1, vanilla.toString());
        assertTrue(ms.get("first_over_last").asDouble() >= 1, ms.toString());
    }

    @Test
    void printsAReadableTableWithOneRowPerBlock(@TempDir Path dir) throws Exception {
        Path card = Files.writeString(dir.resolve("deep.json"), DEEP_CARD);
        String table = run("gradnorm", "--card", card.toString(), "--frames", "2", "--batch", "2");
        assertTrue(table.contains("conv2_x.0") && table.contains("conv3_x.10") && table.contains("vanilla"), table);
    }
}
