package io.spikestream.cli;

import static io.spikestream.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.cli.Cli.Run;
import io.spikestream.model.safetensors.SafeTensors;
import io.spikestream.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spikestream infer} end to end on the tiny reference fixture. */
class InferCommandTest {
    @TempDir Path dir;

    static Path fixture(String name) {
        return SharedData.fixture(name);
    }



    private static void assertClose(double[] expected, double[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        for (double e : expected) {
            scale = Math.max(scale, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= tol * scale, what + "[" + i + "]: " + actual[i] + " vs " + expected[i]);
        }
    }

    @Test
    void reproducesTheReferenceTensorsOfTheTinyFixtureInFloat64() throws IOException {
        Path out = dir.resolve("out.safetensors");
        Run r = run("infer", "--model", fixture("tiny.weights.safetensors").toString(), "--input",
                fixture("tiny.io.safetensors").toString(), "--dtype", "f64", "--out", out.toString());
        assertEquals(Main.OK, r.exit(), r.err());
        SafeTensors expected = SafeTensors.open(fixture("tiny.io.safetensors"));
        SafeTensors actual = SafeTensors.open(out);
        assertClose(expected.doubles("logits"), actual.doubles("logits"), 1e-9, "logits");
        // chunks default to the input file's __metadata__["chunks"] ([4, 4])
        assertArrayEquals(expected.info("logits_chunked").shape(), actual.info("logits_chunked").shape());
        assertClose(expected.doubles("logits_chunked"), actual.doubles("logits_chunked"), 1e-9, "logits_chunked");
        for (int l = 0; l < 9; l++) {
            String label = String.format("L%02d", l);
            assertArrayEquals(expected.longs("spike_count." + label), actual.longs("spike_count." + label), label);
            assertArrayEquals(expected.info("state." + label + ".u").shape(), actual.info("state." + label + ".u").shape());
            assertClose(expected.doubles("state." + label + ".u"), actual.doubles("state." + label + ".u"), 1e-9, label + ".u");
            assertArrayEquals(expected.doubles("state." + label + ".s"), actual.doubles("state." + label + ".s"), label + ".s");
        }
    }

    @Test
    void explicitChunksInFloat32WithASeparateCard() throws IOException {
        Path out = dir.resolve("f32.safetensors");
        Run r = run("infer", "--model", fixture("tiny.weights.f32.safetensors").toString(), "--card",
                fixture("tiny.card.json").toString(), "--input", fixture("tiny.io.safetensors").toString(),
                "--chunks", "2,3,3", "--out", out.toString());
        assertEquals(Main.OK, r.exit(), r.err());
        SafeTensors actual = SafeTensors.open(out);
        assertArrayEquals(new long[] {3, 2, 11}, actual.info("logits_chunked").shape());
        SafeTensors expected = SafeTensors.open(fixture("tiny.io.safetensors"));
        assertClose(expected.doubles("logits"), actual.doubles("logits"), 1e-4, "float32 logits");
        assertArrayEquals(expected.longs("spike_count.L04"), actual.longs("spike_count.L04"));
    }

    @Test
    void chunksThatDoNotCoverTheInputAreAUsageError() {
        Run r = run("infer", "--model", fixture("tiny.weights.safetensors").toString(), "--input",
                fixture("tiny.io.safetensors").toString(), "--chunks", "3,3", "--out", dir.resolve("x").toString());
        assertEquals(Main.USAGE, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("add up to 6 timesteps, the input has 8"), r.err());
    }

    @Test
    void aMissingTensorIsARuntimeFailureNamingIt() {
        Run r = run("infer", "--model", fixture("tiny.weights.safetensors").toString(), "--input",
                fixture("tiny.io.safetensors").toString(), "--tensor", "frames", "--out", dir.resolve("x").toString());
        assertEquals(Main.FAILURE, r.exit());
        assertTrue(r.err().contains("no tensor named \"frames\""), r.err());
    }
}
