package io.spikestream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.job.TestModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void refusesToPresentAnUntrainedModelAsAClassifier() throws Exception {
        Path model = TestModels.tiny(dir.resolve("untrained.safetensors"),
                FramingSpec.tumbling(5_000, 4, 16, 16, new SensorGeometry(128, 128)), 1);
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        assertEquals(Main.FAILURE, cl.execute("demo", "--model", model.toString(), "--recording", model.toString()));
        assertTrue(err.toString().contains("carries no training record"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }

    @Test
    void theBundledDemoClassifiesTheBundledRecordingAndSummarisesIt() {
        // the build always bundles them (pipeline/src/main/resources): their absence is a broken build, not a skip
        for (String name : List.of(DemoCommand.BUNDLED_MODEL, DemoCommand.BUNDLED_RECORDING, DemoCommand.BUNDLED_LABELS)) {
            assertNotNull(DemoCommand.class.getClassLoader().getResource(DemoCommand.BUNDLE + name), name + " is not bundled");
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertEquals(Main.OK, cl.execute("demo", "--speed", "8", "--quiet"), err.toString());
        String text = out.toString();
        assertTrue(text.contains("summary"), text);
        assertTrue(text.matches("(?s).*windows\\s+[1-9].*"), text);
        assertTrue(text.contains("latency") && text.contains("accuracy"), text);
    }

    @Test
    void aBundledFileMissingFromTheBuildIsNamedWithWhatToDoInstead() {
        // every real build bundles the model, so the path is exercised with a name that is not bundled
        IOException e = assertThrows(IOException.class,
                () -> DemoCommand.bundled("no-such-model.safetensors", dir, "the bundled trained model"));
        assertTrue(e.getMessage().startsWith("the bundled trained model (" + DemoCommand.BUNDLE + "no-such-model.safetensors) "
                + "is not in this build") && e.getMessage().contains("--model"), e.getMessage());
    }
}
