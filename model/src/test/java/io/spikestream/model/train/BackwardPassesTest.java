package io.spikestream.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The hand-written backward passes of the training layers against central finite differences of
 * their own forward passes, in float64, with no shared file: each layer's objective is
 * {@code sum(r * forward(x))} for a random {@code r}, whose gradient the backward pass must give
 * when handed {@code r}. ({@link GradientFixtureTest} checks the whole network against PyTorch
 * where the fixtures are present; {@link TdBatchNormTest} does this for tdBN.)
 */
class BackwardPassesTest {
    /**
     * Step of the differences for the linear layers: their objective is linear in each input, so
     * the central difference is exact but for rounding, which a large step keeps small.
     */
    static final double LINEAR_STEP = 1e-3;

    static INDArray random(long seed, long... shape) {
        return TdBatchNormTest.random(seed, shape);
    }

    /**
     * Checks {@code analytic} against the central difference of {@code f} in every
     * {@code every}-th element of {@code x} (changed in place and restored), within
     * {@code tolerance} relative to the gradient's magnitude (at least 1).
     */
    static void assertGradient(String what, INDArray x, ToDoubleFunction<INDArray> f, INDArray analytic,
                               double step, int every, double tolerance) {
        assertEquals(x.length(), analytic.length(), what + ": size");
        double[] a = analytic.dup('c').data().asDouble();
        double scale = 1;
        for (double v : a) {
            scale = Math.max(scale, Math.abs(v));
        }
        int checked = 0;
        for (int i = 0; i < a.length; i += every) {
            double orig = x.getDouble(i);
            x.putScalar(i, orig + step);
            double up = f.applyAsDouble(x);
            x.putScalar(i, orig - step);
            double down = f.applyAsDouble(x);
            x.putScalar(i, orig);
            assertEquals((up - down) / (2 * step), a[i], tolerance * scale, what + "[" + i + "]");
            checked++;
        }
        assertTrue(checked > 0, what + ": nothing checked");
    }

    static double dot(INDArray a, INDArray r) {
        return a.mul(r).sumNumber().doubleValue();
    }

    @Test
    void convolutionWithStridePaddingAndBias() {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        Conv conv = new Conv(store, "c", 3, 4, 3, 2, 1, true);
        conv.weight().value().assign(random(1, 4, 3, 3, 3));
        conv.bias().value().assign(random(2, 4));
        INDArray x = random(3, 2, 3, 7, 7);
        INDArray r = random(4, 2, 4, 4, 4);
        conv.forward(x);
        INDArray gx = conv.backward(r).dup();
        INDArray gw = conv.weight().grad().dup();
        INDArray gb = conv.bias().grad().dup();
        // the layer reuses its output buffer: take the sum before the next forward
        ToDoubleFunction<INDArray> loss = ignored -> dot(conv.forward(x), r);
        assertGradient("dx", x, loss, gx, LINEAR_STEP, 3, 1e-9);
        assertGradient("dW", conv.weight().value(), loss, gw, LINEAR_STEP, 2, 1e-9);
        assertGradient("db", conv.bias().value(), loss, gb, LINEAR_STEP, 1, 1e-9);
    }

    @Test
    void averagePoolingTwoByTwo() {
        AvgPool2 pool = new AvgPool2();
        INDArray x = random(5, 2, 3, 4, 6);
        INDArray r = random(6, 2, 3, 2, 3);
        pool.forward(x);
        INDArray gx = pool.backward(r);
        assertGradient("dx", x, v -> dot(pool.forward(v), r), gx, LINEAR_STEP, 1, 1e-9);
    }

    @Test
    void headSpatialAndTemporalMeanThenFullyConnected() {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        Head head = new Head(store, null, 5, 3);
        head.weight().value().assign(random(7, 3, 5));
        head.bias().value().assign(random(8, 3));
        int steps = 3;
        INDArray x = random(9, steps * 2, 5, 2, 3); // T=3, N=2
        INDArray r = random(10, 2, 3);
        head.forward(x, steps);
        INDArray gx = head.backward(r).dup();
        INDArray gw = head.weight().grad().dup();
        INDArray gb = head.bias().grad().dup();
        ToDoubleFunction<INDArray> loss = ignored -> dot(head.forward(x, steps), r);
        assertGradient("dx", x, loss, gx, LINEAR_STEP, 1, 1e-9);
        assertGradient("dW", head.weight().value(), loss, gw, LINEAR_STEP, 1, 1e-9);
        assertGradient("db", head.bias().value(), loss, gb, LINEAR_STEP, 1, 1e-9);
    }

    /**
     * Spikes are a step function, so the LIF's gradient is a surrogate, not a derivative: the
     * check differentiates the relaxation it stands for. With the spike pattern of the forward pass
     * held fixed in the reset (the detached reset), {@code u[t] = decay * u[t-1] * (1 - s[t-1]) + I[t]},
     * and each spike replaced by {@code clamp((u - v_th + lens) / (2 lens), 0, 1)}, whose slope is
     * the rectangular surrogate {@code 1/(2 lens)} on {@code |u - v_th| < lens}: the backward pass
     * must equal the finite differences of {@code sum(r * relaxed spikes)}. The forward spikes are
     * checked against the same recurrence written out here.
     */
    @Test
    void lifWithTheRectangularSurrogateAndDetachedReset() {
        double vTh = 0.5;
        double decay = 0.25;
        double lens = 0.5;
        int steps = 4;
        Lif lif = new Lif(vTh, decay, lens);
        INDArray input = random(11, steps * 2, 3, 2, 2).muli(0.6); // T=4, N=2: 24 neurons per step
        INDArray r = random(12, steps * 2, 3, 2, 2);
        int m = (int) (input.length() / steps);
        double[] in = input.dup('c').data().asDouble();

        // the reference recurrence: spikes and membranes of the forward pass
        double[] u = new double[in.length];
        double[] s = new double[in.length];
        for (int i = 0; i < m; i++) {
            double prevU = 0;
            double prevS = 0;
            for (int t = 0; t < steps; t++) {
                int k = t * m + i;
                u[k] = decay * prevU * (1 - prevS) + in[k];
                s[k] = u[k] > vTh ? 1 : 0;
                prevU = u[k];
                prevS = s[k];
            }
        }
        double closestKink = Double.MAX_VALUE;
        int spikes = 0;
        int inWindow = 0;
        for (int k = 0; k < u.length; k++) {
            closestKink = Math.min(closestKink, Math.abs(Math.abs(u[k] - vTh) - lens));
            spikes += (int) s[k];
            inWindow += Math.abs(u[k] - vTh) < lens ? 1 : 0;
        }
        assertTrue(closestKink > 1e-4, "a membrane sits on a kink of the surrogate (" + closestKink + "): choose another seed");
        assertTrue(spikes > 0 && spikes < u.length && inWindow > 0 && inWindow < u.length,
                spikes + " spikes, " + inWindow + " membranes inside the surrogate window: both cases must occur");

        INDArray out = lif.forward(input, steps);
        double[] got = out.dup('c').data().asDouble();
        for (int k = 0; k < s.length; k++) {
            assertEquals(s[k], got[k], 0, "spike " + k);
        }
        INDArray grad = lif.backward(r).dup();

        double[] rr = r.dup('c').data().asDouble();
        ToDoubleFunction<INDArray> relaxed = x -> {
            double[] v = x.dup('c').data().asDouble();
            double sum = 0;
            for (int i = 0; i < m; i++) {
                double prevU = 0;
                for (int t = 0; t < steps; t++) {
                    int k = t * m + i;
                    double uk = decay * prevU * (1 - (t > 0 ? s[k - m] : 0)) + v[k];
                    sum += rr[k] * Math.min(1, Math.max(0, (uk - vTh + lens) / (2 * lens)));
                    prevU = uk;
                }
            }
            return sum;
        };
        // a small step: the relaxation is piecewise linear and no membrane lies within 1e-4 of a kink
        assertGradient("dI", input, relaxed, grad, 1e-6, 1, 1e-7);
    }
}
