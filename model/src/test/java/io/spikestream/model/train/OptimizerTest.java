package io.spikestream.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class OptimizerTest {
    static Parameter param(String name, boolean decays, double value, double grad) {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        Parameter p = store.parameter(name, decays, 1);
        p.value().assign(value);
        p.grad().assign(grad);
        return p;
    }

    @Test
    void sgdWithMomentumFollowsPyTorchsUpdateRule() {
        Parameter w = param("w", true, 1.0, 0.5);
        Sgd sgd = new Sgd(0.9, 0.1);
        sgd.step(List.of(w), 0.2);
        // g' = 0.5 + 0.1 * 1.0 = 0.6; buf = 0.6; w = 1.0 - 0.2 * 0.6
        assertEquals(1.0 - 0.2 * 0.6, w.value().getDouble(0), 1e-15);
        double w1 = w.value().getDouble(0);
        sgd.step(List.of(w), 0.2);
        double g2 = 0.5 + 0.1 * w1;
        double buf2 = 0.9 * 0.6 + g2;
        assertEquals(w1 - 0.2 * buf2, w.value().getDouble(0), 1e-15);
    }

    @Test
    void adamWsFirstStepMovesEachParameterByTheLearningRateAgainstItsGradientSign() {
        Parameter a = param("a", false, 1.0, 3.0);
        Parameter b = param("b", false, 1.0, -0.001);
        AdamW.withWeightDecay(0).step(List.of(a, b), 0.01);
        // m̂ = g, v̂ = g², so the step is lr * g / (|g| + eps)
        assertEquals(1.0 - 0.01 * 3.0 / (3.0 + 1e-8), a.value().getDouble(0), 1e-12);
        assertEquals(1.0 + 0.01 * 0.001 / (0.001 + 1e-8), b.value().getDouble(0), 1e-12);
    }

    @Test
    void adamWDecaysOnlyDecayingParametersAndDecouplesTheDecayFromTheGradient() {
        Parameter weight = param("w", true, 2.0, 0.0);
        Parameter bias = param("b", false, 2.0, 0.0);
        AdamW.withWeightDecay(0.5).step(List.of(weight, bias), 0.1);
        assertEquals(2.0 * (1 - 0.1 * 0.5), weight.value().getDouble(0), 1e-15);
        assertEquals(2.0, bias.value().getDouble(0), 0.0);
    }

    @Test
    void adamWStateRoundTripsThroughItsNamedTensors() {
        Parameter w1 = param("w", true, 1.0, 0.3);
        AdamW first = AdamW.withWeightDecay(0.01);
        first.step(List.of(w1), 0.01);
        Parameter w2 = param("w", true, w1.value().getDouble(0), 0.3);
        AdamW restored = AdamW.withWeightDecay(0.01);
        restored.loadState(first.state(), List.of(w2));
        first.step(List.of(w1), 0.01);
        restored.step(List.of(w2), 0.01);
        assertEquals(w1.value().getDouble(0), w2.value().getDouble(0), 0.0);
    }

    @Test
    void cosineScheduleWarmsUpLinearlyThenDecaysFromBaseToMin() {
        CosineSchedule s = new CosineSchedule(0.1, 0.001, 110, 10);
        assertEquals(0.01, s.lr(0), 1e-15);
        assertEquals(0.1, s.lr(9), 1e-15);
        assertEquals(0.1, s.lr(10), 1e-15);
        assertEquals(0.001 + 0.5 * (0.1 - 0.001), s.lr(60), 1e-12);
        assertEquals(0.001, s.lr(110), 1e-15);
    }

    @Test
    void clippingScalesTheGlobalNormDownToTheLimitAndLeavesSmallGradientsAlone() {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        Parameter a = store.parameter("a", true, 2);
        Parameter b = store.parameter("b", true, 1);
        a.grad().assign(Nd4j.createFromArray(3.0, 0.0));
        b.grad().assign(4.0);
        assertEquals(5.0, GradientClipping.clip(store.parameters(), 1.0), 1e-12);
        assertEquals(1.0, GradientClipping.norm(store.parameters()), 1e-6);
        assertEquals(0.6, a.grad().getDouble(0), 1e-6);
        double before = GradientClipping.norm(store.parameters());
        GradientClipping.clip(store.parameters(), 10.0);
        assertEquals(before, GradientClipping.norm(store.parameters()), 0.0);
    }

    @Test
    void labelSmoothingMixesTheOneHotTargetWithTheUniformDistribution() {
        double[] z = {1.0, 2.0, 0.5};
        SoftmaxCrossEntropy.Result r = new SoftmaxCrossEntropy(0.3)
                .evaluate(Nd4j.create(new double[][] {z}), new int[] {2});
        double lse = Math.log(Math.exp(1.0) + Math.exp(2.0) + Math.exp(0.5));
        double expected = 0;
        for (int j = 0; j < 3; j++) {
            double q = 0.3 / 3 + (j == 2 ? 0.7 : 0);
            expected -= q * (z[j] - lse);
        }
        assertEquals(expected, r.loss(), 1e-12);
        double gradSum = r.gradLogits().sumNumber().doubleValue();
        assertEquals(0.0, gradSum, 1e-12, "softmax minus a distribution sums to zero");
        assertEquals(0, r.correct());
    }
}
