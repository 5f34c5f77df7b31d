package io.spikestream.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.model.Fixtures;
import io.spikestream.model.ModelCard;
import io.spikestream.model.ModelFile;
import io.spikestream.model.safetensors.SafeTensors;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Backpropagation through time checked against the PyTorch reference ({@code grad} fixture:
 * tdBN in eval mode, rectangular surrogate, detached reset), in float64.
 */
class GradientFixtureTest {
    static SafeTensors io;
    static SpikingResNet net;
    static double loss;
    static INDArray logits;
    static INDArray gradInput;

    @BeforeAll
    static void runForwardAndBackward() throws Exception {
        Path dir = Fixtures.msresnet();
        ModelCard card = ModelCard.read(dir.resolve("grad.card.json"));
        ModelFile model = ModelFile.read(dir.resolve("grad.weights.safetensors"), dir.resolve("grad.card.json"));
        io = SafeTensors.open(dir.resolve("grad.io.safetensors"));
        net = SpikingResNet.msResNet(card, DataType.DOUBLE);
        net.parameters().load(model.weights().asMap());
        int[] labels = Arrays.stream(io.longs("labels")).mapToInt(Math::toIntExact).toArray();
        logits = net.forward(io.array("input", DataType.DOUBLE), BnMode.EVAL);
        SoftmaxCrossEntropy.Result r = new SoftmaxCrossEntropy(0).evaluate(logits, labels);
        loss = r.loss();
        gradInput = net.backward(r.gradLogits());
    }

    @Test
    void forwardLogitsEqualTheReference() throws Exception {
        assertClose("logits", io.array("logits", DataType.DOUBLE), logits, 1e-10);
    }

    @Test
    void lossEqualsTheReferenceWithin1e9() throws Exception {
        double expected = io.doubles("loss")[0];
        assertEquals(expected, loss, 1e-9 * Math.abs(expected));
    }

    @Test
    void gradientOfEveryParameterEqualsTheReferenceWithin1e6Relative() throws Exception {
        int checked = 0;
        for (Parameter p : net.parameters().parameters()) {
            assertClose("grad." + p.name(), io.array("grad." + p.name(), DataType.DOUBLE), p.grad(), 1e-6);
            checked++;
        }
        long inFixture = io.tensors().keySet().stream()
                .filter(n -> n.startsWith("grad.") && !n.equals("grad.input")).count();
        assertEquals(inFixture, checked, "every parameter gradient of the fixture is computed");
    }

    @Test
    void gradientOfTheInputEqualsTheReference() throws Exception {
        assertClose("grad.input", io.array("grad.input", DataType.DOUBLE), gradInput, 1e-6);
    }

    /** Relative to the largest magnitude of the expected tensor (elementwise relative error is meaningless at zeros). */
    static void assertClose(String name, INDArray expected, INDArray actual, double rel) {
        assertTrue(Arrays.equals(expected.shape(), actual.shape()), name + ": shape " + Arrays.toString(actual.shape())
                + " vs expected " + Arrays.toString(expected.shape()));
        double scale = Math.max(expected.amaxNumber().doubleValue(), Double.MIN_NORMAL);
        double err = expected.sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(err <= rel * scale, name + ": max abs error " + err + " exceeds " + rel + " x " + scale);
    }
}
