package io.spikestream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The spike-driven convolution against a naive reference written here (direct loops over every
 * input and kernel position, multiplying by the 0/1 input) on hand-made and random inputs, and
 * against ND4J's conv2d. The naive loop sums each output in the order (c, ky, kx), the order the
 * kernel documents, so in float64 and float32 the two must agree bit for bit. No fixture needed.
 */
class SpikeConvTest {

    /** out[f][o][oy][ox] = (sum over c, ky, kx in that order of w * x) + b (+ addend). */
    private static double[] naive(double[] x, int frames, int c, int h, int wd, double[] w, int o, int k, int s, int p,
            double[] b, double[] addend, boolean f32) {
        int ho = (h + 2 * p - k) / s + 1;
        int wo = (wd + 2 * p - k) / s + 1;
        double[] out = new double[frames * o * ho * wo];
        for (int f = 0; f < frames; f++) {
            for (int oc = 0; oc < o; oc++) {
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        double accD = 0;
                        float accF = 0;
                        for (int ic = 0; ic < c; ic++) {
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int iy = oy * s - p + ky;
                                    int ix = ox * s - p + kx;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= wd) {
                                        continue;
                                    }
                                    double v = x[((f * c + ic) * h + iy) * wd + ix];
                                    double wv = w[((oc * c + ic) * k + ky) * k + kx];
                                    accD += wv * v;
                                    accF += (float) wv * (float) v;
                                }
                            }
                        }
                        int i = ((f * o + oc) * ho + oy) * wo + ox;
                        if (f32) {
                            float r = accF + (float) b[oc];
                            out[i] = addend == null ? r : r + (float) addend[i];
                        } else {
                            double r = accD + b[oc];
                            out[i] = addend == null ? r : r + addend[i];
                        }
                    }
                }
            }
        }
        return out;
    }

    private static void check(double[] x, int frames, int c, int h, int w, int o, int k, int s, int p, boolean withAddend,
            long seed) {
        boolean binary = true;
        for (double v : x) {
            binary &= v == 0 || v == 1;
        }
        check(x, frames, c, h, w, o, k, s, p, withAddend, seed, binary);
    }

    private static void check(double[] x, int frames, int c, int h, int w, int o, int k, int s, int p, boolean withAddend,
            long seed, boolean binary) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] wt = new double[o * c * k * k];
        for (int i = 0; i < wt.length; i++) {
            wt[i] = (float) (rnd.nextDouble() * 2 - 1); // float-representable, as the folded f32 weights
        }
        double[] b = new double[o];
        for (int i = 0; i < o; i++) {
            b[i] = (float) (rnd.nextDouble() - 0.5);
        }
        int ho = (h + 2 * p - k) / s + 1;
        int wo = (w + 2 * p - k) / s + 1;
        double[] add = null;
        if (withAddend) {
            add = new double[frames * o * ho * wo];
            for (int i = 0; i < add.length; i++) {
                add[i] = (float) (rnd.nextDouble() * 4 - 2);
            }
        }
        for (DataType type : new DataType[] {DataType.DOUBLE, DataType.FLOAT}) {
            INDArray weight = Nd4j.create(wt, new long[] {o, c, k, k}, 'c').castTo(type);
            INDArray bias = Nd4j.create(b, new long[] {o}, 'c').castTo(type);
            INDArray in = Nd4j.create(x, new long[] {frames, c, h, w}, 'c').castTo(type);
            INDArray out = Nd4j.create(type, frames, o, ho, wo);
            INDArray addend = add == null ? null : Nd4j.create(add, new long[] {frames, o, ho, wo}, 'c').castTo(type);
            new SpikeConv(weight, bias, s, p).apply(in, out, addend, binary);
            double[] expected = naive(x, frames, c, h, w, wt, o, k, s, p, b, add, type == DataType.FLOAT);
            double[] actual = out.castTo(DataType.DOUBLE).data().asDouble();
            String what = type + (binary ? " spikes " : " counts ") + c + "->" + o + " k" + k + " s" + s + " p" + p + " " + h + "x" + w;
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 0.0, what + " element " + i);
            }
            // and against ND4J's dense conv2d, to rounding
            INDArray dense = Nd4j.create(type, frames, o, ho, wo);
            Nd4j.exec(DynamicCustomOp.builder("conv2d").addInputs(in, weight, bias).addOutputs(dense)
                    .addIntegerArguments(k, k, s, s, p, p, 1, 1, 0, 0, 1).build());
            if (addend != null) {
                dense.addi(addend);
            }
            double err = dense.castTo(DataType.DOUBLE).sub(out.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
            assertTrue(err < (type == DataType.FLOAT ? 1e-4 : 1e-12), what + ": differs from conv2d by " + err);
        }
    }

    private static double[] random(int n, double density, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rnd.nextDouble() < density ? 1 : 0;
        }
        return x;
    }

    @Test
    void aSingleSpikeWritesTheFlippedKernelAroundItself() {
        // one channel, one spike in the middle of 5x5: output = bias + the kernel, mirrored, around (2, 2)
        double[] x = new double[25];
        x[2 * 5 + 2] = 1;
        double[] w = {1, 2, 3, 4, 5, 6, 7, 8, 9};
        INDArray out = Nd4j.create(DataType.DOUBLE, 1, 1, 5, 5);
        new SpikeConv(Nd4j.create(w, new long[] {1, 1, 3, 3}, 'c'), Nd4j.createFromArray(0.5), 1, 1)
                .apply(Nd4j.create(x, new long[] {1, 1, 5, 5}, 'c'), out, null);
        double[][] expected = {
            {0.5, 0.5, 0.5, 0.5, 0.5},
            {0.5, 9.5, 8.5, 7.5, 0.5},
            {0.5, 6.5, 5.5, 4.5, 0.5},
            {0.5, 3.5, 2.5, 1.5, 0.5},
            {0.5, 0.5, 0.5, 0.5, 0.5}};
        for (int y = 0; y < 5; y++) {
            for (int xx = 0; xx < 5; xx++) {
                assertEquals(expected[y][xx], out.getDouble(0, 0, y, xx), 0.0, "(" + y + ", " + xx + ")");
            }
        }
    }

    @Test
    void spikesOnTheBordersAndCornersAreClipped() {
        double[] x = new double[2 * 6 * 7];
        int[][] at = {{0, 0, 0}, {0, 0, 6}, {0, 5, 0}, {1, 5, 6}, {1, 0, 3}, {1, 2, 0}};
        for (int[] a : at) {
            x[(a[0] * 6 + a[1]) * 7 + a[2]] = 1;
        }
        check(x, 1, 2, 6, 7, 3, 3, 1, 1, false, 1);
        check(x, 1, 2, 6, 7, 3, 3, 2, 1, false, 2);
    }

    @Test
    void allZerosGiveTheBiasAndAllOnesTheDenseSum() {
        check(new double[3 * 4 * 8 * 8], 3, 4, 8, 8, 5, 3, 1, 1, true, 3);
        double[] ones = new double[3 * 4 * 8 * 8];
        java.util.Arrays.fill(ones, 1);
        check(ones, 3, 4, 8, 8, 5, 3, 1, 1, true, 4);
        check(ones, 3, 4, 8, 8, 5, 3, 2, 1, false, 5);
    }

    @Test
    void randomSpikesAtSeveralStridesKernelsAndOddSizes() {
        int[][] cases = { // frames, c, h, w, o, k, s, p
            {4, 3, 9, 11, 6, 3, 1, 1}, {4, 3, 9, 11, 6, 3, 2, 1}, {2, 5, 8, 8, 7, 1, 2, 0}, {2, 5, 8, 8, 7, 1, 1, 0},
            {3, 2, 13, 10, 4, 7, 2, 3}, {5, 16, 16, 16, 32, 3, 2, 1}, {6, 32, 8, 8, 32, 3, 1, 1}};
        long seed = 10;
        for (int[] c : cases) {
            for (double density : new double[] {0.05, 0.3, 0.9}) {
                double[] x = random(c[0] * c[1] * c[2] * c[3], density, seed++);
                check(x, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], (seed & 1) == 0, seed);
            }
        }
    }

    @Test
    void sparseEventCountsAreScaledByTheirValue() {
        // the stem's input: small non-negative counts, mostly zero; also the all-ones input in value mode
        SplittableRandom rnd = new SplittableRandom(99);
        double[] x = new double[3 * 2 * 17 * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextDouble() < 0.1 ? 1 + rnd.nextInt(4) : 0;
        }
        check(x, 3, 2, 17, 16, 8, 7, 2, 3, false, 100);
        check(x, 3, 2, 17, 16, 8, 3, 2, 1, true, 101);
        double[] ones = new double[2 * 2 * 8 * 8];
        java.util.Arrays.fill(ones, 1);
        check(ones, 2, 2, 8, 8, 4, 3, 1, 1, false, 102, false);
    }

    @Test
    void aShapeThatDoesNotFitIsRefused() {
        SpikeConv conv = new SpikeConv(Nd4j.zeros(DataType.FLOAT, 4, 2, 3, 3), Nd4j.zeros(DataType.FLOAT, 4), 1, 1);
        INDArray in = Nd4j.zeros(DataType.FLOAT, 1, 2, 5, 5);
        assertThrows(IllegalArgumentException.class, () -> conv.apply(in, Nd4j.zeros(DataType.FLOAT, 1, 4, 4, 4), null));
        assertThrows(IllegalArgumentException.class, () -> conv.apply(in.castTo(DataType.DOUBLE),
                Nd4j.zeros(DataType.DOUBLE, 1, 4, 5, 5), null));
    }

    @Test
    void theCostModelPicksTheCheaperPathAndReportsItsBreakEven() {
        // dense 1000 ns; sparse 100 ns with no spike and 1100 ns with 500 spikes: 2 ns per spike
        ConvCost c = ConvCost.fit(1000, 100, 1100, 500);
        assertEquals(2.0, c.best(0).nsPerSpike(), 1e-12);
        assertTrue(c.sparseFaster(449)); // 100 + 898 < 1000
        assertFalse(c.sparseFaster(450)); // 100 + 900 = 1000: not faster
        assertEquals(0.45, c.breakEvenDensity(1000), 1e-12); // 450 of 1000 inputs
        assertEquals(0.0, ConvCost.fit(50, 100, 200, 10).breakEvenDensity(1000), 0.0, "dense always faster");
        assertFalse(ConvCost.fit(50, 100, 200, 10).sparseFaster(0));
    }

    @Test
    void withSeveralPartCountsTheCheapestLineIsTakenAndTheBreakEvenIsTheLatest() {
        // two parts: 300 ns fixed (the hand-off), 1 ns per spike; one part: 100 ns fixed, 2 ns per spike; dense 1000 ns
        ConvCost c = new ConvCost(1000, 1, List.of(new ConvCost.Java(300, 1, 2), new ConvCost.Java(100, 2, 1)));
        assertEquals(1, c.best(100).parts()); // 300 against 400
        assertEquals(2, c.best(300).parts()); // 700 against 600
        assertTrue(c.sparseFaster(699)); // two parts: 999
        assertFalse(c.sparseFaster(700)); // two parts: 1000, one part: 1500
        assertEquals(0.7, c.breakEvenDensity(1000), 1e-12);
        assertEquals(1, c.denseThreads());
    }
}
