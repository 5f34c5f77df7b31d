package io.spikestream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.model.safetensors.SafeTensors;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GradCommandTest {
    @Test
    void writesTheLossAndEveryParameterGradientOfTheGradFixture(@TempDir Path dir) throws Exception {
        Path io = InferCommandTest.fixture("grad.io.safetensors");
        Path out = dir.resolve("grads.safetensors");
        StringWriter so = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(so));
        int rc = cl.execute("grad", "--model", InferCommandTest.fixture("grad.weights.safetensors").toString(),
                "--card", InferCommandTest.fixture("grad.card.json").toString(), "--input", io.toString(),
                "--labels-tensor", "labels", "--out", out.toString());
        assertEquals(Main.OK, rc, so.toString());
        SafeTensors expected = SafeTensors.open(io);
        SafeTensors actual = SafeTensors.open(out);
        double loss = expected.doubles("loss")[0];
        assertEquals(loss, actual.doubles("loss")[0], 1e-9 * loss);
        int compared = 0;
        for (String name : expected.tensors().keySet()) {
            if (!name.startsWith("grad.")) {
                continue;
            }
            double[] e = expected.doubles(name);
            double[] a = actual.doubles(name);
            assertEquals(e.length, a.length, name);
            double scale = 0;
            double err = 0;
            for (int i = 0; i < e.length; i++) {
                scale = Math.max(scale, Math.abs(e[i]));
                err = Math.max(err, Math.abs(e[i] - a[i]));
            }
            assertTrue(err <= 1e-6 * scale, name + ": max error " + err + " vs scale " + scale);
            compared++;
        }
        assertEquals(42, compared, "41 parameter gradients and grad.input");
    }

    @Test
    void aMissingLabelsTensorIsARuntimeErrorNamingTheFile(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        Path io = InferCommandTest.fixture("grad.io.safetensors");
        int rc = cl.execute("grad", "--model", InferCommandTest.fixture("grad.weights.safetensors").toString(),
                "--card", InferCommandTest.fixture("grad.card.json").toString(), "--input", io.toString(),
                "--labels-tensor", "no_such", "--out", dir.resolve("x.safetensors").toString());
        assertEquals(Main.FAILURE, rc);
        assertTrue(err.toString().contains("no_such") && err.toString().contains("grad.io.safetensors"), err.toString());
    }
}
