package io.spikestream.model;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Spike-driven convolution: the input is binary (0/1 spikes), so the convolution is a sum of weight
 * columns at the positions of the ones, with no multiplication and work proportional to the spike
 * count. The same kernel also takes sparse non-negative event counts (the stem's input frames,
 * {@code binary = false}): then each column is scaled by the input value. For each active input {@code (c, iy, ix)} and each kernel row {@code ky} that reaches an
 * output row, the weights {@code W[:, c, ky, kx]} of every {@code kx} that reaches an output column
 * are added into a channels-last accumulator {@code acc[oy, ox, :]}. Those outputs are adjacent
 * ({@code ox} steps by one as {@code kx} steps by the stride), so with the weights repacked per
 * column residue ({@code (ix + pad) mod stride}) in ascending {@code ox} order, one active input
 * and kernel row is up to {@code k/stride} adds of {@code O} values, each a weight-column array
 * into an output-pixel array (a loop the JIT vectorises). The accumulator is then transposed to NCHW with the bias added (and, for the last
 * conv of a block, the shortcut added after it, as the dense path does).
 *
 * <p>Summation order: every output sums its contributions in the order (c, ky, kx) ascending,
 * whatever the spike pattern or the thread count (threads split the frames); skipped zeros do not
 * change a floating-point sum. Frames are {@code [F, C, H, W]} C-order arrays in host memory.
 * Not thread-safe (per-instance scratch).
 */
final class SpikeConv {
    final int in;
    final int out;
    final int kernel;
    final int stride;
    final int pad;
    /** Per column residue r: number of kernel columns kx with kx ≡ r (mod stride). */
    private final int[] cols;
    /** Per column residue r: offset of its weights {@code [C][k][cols[r]][O]}. */
    private final int[] offset;
    /**
     * The packed weights as one array per weight column {@code W[:, c, ky, kx]}, and the accumulator
     * as one array per output pixel: both operands of the inner add then start at index 0, which
     * the JIT (C2 of Java 17) vectorises, while {@code acc[p + e] += w[q + e]} it does not (2–4×
     * slower, measured on 16–128 channels). The adds are the same, in the same order.
     */
    private final float[][] fwv;
    private final double[][] dwv;
    private final float[] fb;
    private final double[] db;
    private final Scratch[] scratch = new Scratch[Parallel.PARTS];

    /** Per-thread buffers: one input frame, the accumulator, the NCHW output frame, active columns. */
    private static final class Scratch {
        float[] fin = new float[0];
        float[][] facc = new float[0][];
        float[] fout = new float[0];
        double[] din = new double[0];
        double[][] dacc = new double[0][];
        double[] dout = new double[0];
        int[] active = new int[0];
        float[] fval = new float[0];
        double[] dval = new double[0];
    }

    /**
     * @param weight OIHW weights (tdBN already folded), float or double
     * @param bias per output channel
     */
    SpikeConv(INDArray weight, INDArray bias, int stride, int pad) {
        long[] s = weight.shape();
        this.out = (int) s[0];
        this.in = (int) s[1];
        this.kernel = (int) s[2];
        this.stride = stride;
        this.pad = pad;
        cols = new int[stride];
        offset = new int[stride];
        int total = 0;
        for (int r = 0; r < stride; r++) {
            cols[r] = r < kernel ? (kernel - 1 - r) / stride + 1 : 0;
            offset[r] = total;
            total += in * kernel * cols[r] * out;
        }
        double[] w = weight.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] packed = new double[total];
        for (int r = 0; r < stride; r++) {
            int m = cols[r];
            for (int c = 0; c < in; c++) {
                for (int ky = 0; ky < kernel; ky++) {
                    for (int j = 0; j < m; j++) {
                        int kx = r + stride * (m - 1 - j); // ascending ox = descending kx
                        int dst = offset[r] + ((c * kernel + ky) * m + j) * out;
                        for (int o = 0; o < out; o++) {
                            packed[dst + o] = w[((o * in + c) * kernel + ky) * kernel + kx];
                        }
                    }
                }
            }
        }
        double[] b = bias.castTo(DataType.DOUBLE).dup().data().asDouble();
        boolean f32 = weight.dataType() == DataType.FLOAT;
        // the values are those of the (already rounded) dense weights, so the cast back is exact
        fwv = f32 ? vectors(toFloat(packed), out) : null;
        dwv = f32 ? null : vectors(packed, out);
        fb = f32 ? toFloat(b) : null;
        db = f32 ? null : b;
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = new Scratch();
        }
    }

    private static final java.util.Set<DataType> WARM = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Runs the Java kernels of this precision until the JIT has compiled them (once per JVM), so
     * that a calibration times compiled code: a 16→16 3×3 conv on 8 frames of 16×16 at density 0.3
     * (spikes and counts) and a 16→9 1×1 conv, 300 times each (a fraction of a second).
     */
    static void warmUp(DataType type) {
        if (WARM.contains(type)) {
            return;
        }
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        double[] w = new double[16 * 16 * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextDouble() - 0.5;
        }
        double[] x = new double[8 * 16 * 16 * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextDouble() < 0.3 ? 1 : 0;
        }
        SpikeConv conv = new SpikeConv(org.nd4j.linalg.factory.Nd4j.create(w, new long[] {16, 16, 3, 3}, 'c').castTo(type),
                org.nd4j.linalg.factory.Nd4j.zeros(type, 16), 1, 1);
        INDArray in = org.nd4j.linalg.factory.Nd4j.create(x, new long[] {8, 16, 16, 16}, 'c').castTo(type);
        INDArray out = org.nd4j.linalg.factory.Nd4j.create(type, 8, 16, 16, 16);
        PointConv point = new PointConv(org.nd4j.linalg.factory.Nd4j.create(Arrays.copyOf(w, 144), new long[] {9, 16, 1, 1}, 'c')
                .castTo(type), org.nd4j.linalg.factory.Nd4j.zeros(type, 9), 2);
        INDArray pointOut = org.nd4j.linalg.factory.Nd4j.create(type, 8, 9, 8, 8);
        for (int i = 0; i < 300; i++) {
            conv.apply(in, out, (i & 1) == 0 ? null : in);
            conv.apply(in, out, null, false);
            point.apply(in, pointOut);
        }
        WARM.add(type);
    }

    private static float[][] vectors(float[] packed, int out) {
        float[][] v = new float[packed.length / out][];
        for (int i = 0; i < v.length; i++) {
            v[i] = Arrays.copyOfRange(packed, i * out, (i + 1) * out);
        }
        return v;
    }

    private static double[][] vectors(double[] packed, int out) {
        double[][] v = new double[packed.length / out][];
        for (int i = 0; i < v.length; i++) {
            v[i] = Arrays.copyOfRange(packed, i * out, (i + 1) * out);
        }
        return v;
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }

    /** Bytes of the repacked weights. */
    long bytes() {
        return fwv != null ? 4L * ((long) fwv.length * out + fb.length) : 8L * ((long) dwv.length * out + db.length);
    }

    int outSize(int size) {
        return (size + 2 * pad - kernel) / stride + 1;
    }

    /**
     * {@code output[F, O, Ho, Wo] = conv(spikes[F, C, H, W]) + bias (+ addend)}. Every input value
     * must be 0 or 1. {@code addend} (same shape as output, or null) is added after the bias.
     */
    void apply(INDArray spikes, INDArray output, INDArray addend) {
        apply(spikes, output, addend, true);
    }

    /**
     * As {@link #apply(INDArray, INDArray, INDArray)}; with {@code binary} false the input may hold
     * any values and only its zeros are skipped (each weight column is multiplied by the value).
     */
    void apply(INDArray spikes, INDArray output, INDArray addend, boolean binary) {
        apply(spikes, output, addend, binary, 0);
    }

    /**
     * As {@link #apply(INDArray, INDArray, INDArray, boolean)}, the frames split into {@code parts}
     * parts run in parallel (at most {@link Parallel#width()}; 0: by a rough work floor).
     */
    void apply(INDArray spikes, INDArray output, INDArray addend, boolean binary, int parts) {
        long[] is = spikes.shape();
        int frames = (int) is[0];
        int h = (int) is[2];
        int w = (int) is[3];
        int ho = outSize(h);
        int wo = outSize(w);
        if (is[1] != in || output.size(0) != frames || output.size(1) != out || output.size(2) != ho || output.size(3) != wo) {
            throw new IllegalArgumentException("spike conv " + in + "->" + out + ": input " + Arrays.toString(is)
                    + " does not fit output " + Arrays.toString(output.shape()));
        }
        boolean f32 = spikes.dataType() == DataType.FLOAT;
        if (f32 != (fwv != null) || output.dataType() != spikes.dataType()) {
            throw new IllegalArgumentException("spike conv holds " + (fwv != null ? "float" : "double") + " weights, input is "
                    + spikes.dataType() + ", output " + output.dataType());
        }
        if (parts <= 0) {
            parts = Math.min(Parallel.width(), frames);
            long work = (long) frames * in * h * w * 4; // a rough floor: skip forking for tiny calls
            if (work < Parallel.MIN_WORK) {
                parts = 1;
            }
        }
        int p = Math.max(1, Math.min(Math.min(parts, Parallel.width()), frames));
        Parallel.run(p, part -> {
            int f0 = Parallel.start(frames, part, p);
            int f1 = Parallel.start(frames, part + 1, p);
            if (f32) {
                runFloat(spikes, output, addend, f0, f1, h, w, ho, wo, scratch[part], binary);
            } else {
                runDouble(spikes, output, addend, f0, f1, h, w, ho, wo, scratch[part], binary);
            }
        });
    }

    private void runFloat(INDArray spikes, INDArray output, INDArray addend, int f0, int f1, int h, int w, int ho, int wo, Scratch s,
            boolean binary) {
        int inLen = in * h * w;
        int outLen = out * ho * wo;
        if (s.fin.length < inLen) {
            s.fin = new float[inLen];
        }
        if (s.facc.length < ho * wo || s.facc[0].length != out) {
            s.facc = new float[ho * wo][out];
        }
        if (s.fout.length < outLen) {
            s.fout = new float[outLen];
        }
        if (s.active.length < w) {
            s.active = new int[w];
        }
        if (s.fval.length < w) {
            s.fval = new float[w];
        }
        float[] vals = s.fval;
        float[] x = s.fin;
        float[][] acc = s.facc;
        float[] y = s.fout;
        int[] active = s.active;
        FloatBuffer src = spikes.data().asNioFloat();
        FloatBuffer dst = output.data().asNioFloat();
        FloatBuffer add = addend == null ? null : addend.data().asNioFloat();
        int pixels = ho * wo;
        for (int f = f0; f < f1; f++) {
            src.get((int) spikes.offset() + f * inLen, x, 0, inLen);
            for (int q = 0; q < ho * wo; q++) {
                Arrays.fill(acc[q], 0f);
            }
            for (int c = 0; c < in; c++) {
                for (int iy = 0; iy < h; iy++) {
                    int row = (c * h + iy) * w;
                    int n = 0;
                    if (binary) {
                        for (int ix = 0; ix < w; ix++) {
                            active[n] = ix;
                            n += (int) x[row + ix]; // branch-free: spikes are 0 or 1
                        }
                    } else {
                        for (int ix = 0; ix < w; ix++) {
                            float v = x[row + ix];
                            active[n] = ix;
                            vals[n] = v;
                            n += v != 0 ? 1 : 0;
                        }
                    }
                    if (n == 0) {
                        continue;
                    }
                    for (int ky = 0; ky < kernel; ky++) {
                        int dy = iy + pad - ky;
                        if (dy < 0 || dy % stride != 0 || dy / stride >= ho) {
                            continue;
                        }
                        int accRow = dy / stride * wo;
                        for (int a = 0; a < n; a++) {
                            int ix = active[a];
                            int r = (ix + pad) % stride;
                            int m = cols[r];
                            int oxLo = (ix + pad - r) / stride - m + 1;
                            int j0 = Math.max(0, -oxLo);
                            int j1 = Math.min(m, wo - oxLo);
                            if (j1 <= j0) {
                                continue;
                            }
                            int ai = accRow + oxLo + j0;
                            int wi = offset[r] / out + (c * kernel + ky) * m + j0;
                            if (binary) {
                                for (int j = 0; j < j1 - j0; j++) {
                                    float[] av = acc[ai + j];
                                    float[] wv = fwv[wi + j];
                                    for (int e = 0; e < out; e++) {
                                        av[e] += wv[e];
                                    }
                                }
                            } else {
                                float v = vals[a];
                                for (int j = 0; j < j1 - j0; j++) {
                                    float[] av = acc[ai + j];
                                    float[] wv = fwv[wi + j];
                                    for (int e = 0; e < out; e++) {
                                        av[e] += v * wv[e];
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if (add != null) {
                add.get((int) addend.offset() + f * outLen, y, 0, outLen);
                for (int o = 0; o < out; o++) {
                    float b = fb[o];
                    for (int q = 0; q < pixels; q++) {
                        y[o * pixels + q] = (acc[q][o] + b) + y[o * pixels + q];
                    }
                }
            } else {
                for (int o = 0; o < out; o++) {
                    float b = fb[o];
                    for (int q = 0; q < pixels; q++) {
                        y[o * pixels + q] = acc[q][o] + b;
                    }
                }
            }
            dst.put((int) output.offset() + f * outLen, y, 0, outLen);
        }
    }

    private void runDouble(INDArray spikes, INDArray output, INDArray addend, int f0, int f1, int h, int w, int ho, int wo, Scratch s,
            boolean binary) {
        int inLen = in * h * w;
        int outLen = out * ho * wo;
        if (s.din.length < inLen) {
            s.din = new double[inLen];
        }
        if (s.dacc.length < ho * wo || s.dacc[0].length != out) {
            s.dacc = new double[ho * wo][out];
        }
        if (s.dout.length < outLen) {
            s.dout = new double[outLen];
        }
        if (s.active.length < w) {
            s.active = new int[w];
        }
        if (s.dval.length < w) {
            s.dval = new double[w];
        }
        double[] vals = s.dval;
        double[] x = s.din;
        double[][] acc = s.dacc;
        double[] y = s.dout;
        int[] active = s.active;
        DoubleBuffer src = spikes.data().asNioDouble();
        DoubleBuffer dst = output.data().asNioDouble();
        DoubleBuffer add = addend == null ? null : addend.data().asNioDouble();
        int pixels = ho * wo;
        for (int f = f0; f < f1; f++) {
            src.get((int) spikes.offset() + f * inLen, x, 0, inLen);
            for (int q = 0; q < ho * wo; q++) {
                Arrays.fill(acc[q], 0.0);
            }
            for (int c = 0; c < in; c++) {
                for (int iy = 0; iy < h; iy++) {
                    int row = (c * h + iy) * w;
                    int n = 0;
                    if (binary) {
                        for (int ix = 0; ix < w; ix++) {
                            active[n] = ix;
                            n += (int) x[row + ix]; // branch-free: spikes are 0 or 1
                        }
                    } else {
                        for (int ix = 0; ix < w; ix++) {
                            double v = x[row + ix];
                            active[n] = ix;
                            vals[n] = v;
                            n += v != 0 ? 1 : 0;
                        }
                    }
                    if (n == 0) {
                        continue;
                    }
                    for (int ky = 0; ky < kernel; ky++) {
                        int dy = iy + pad - ky;
                        if (dy < 0 || dy % stride != 0 || dy / stride >= ho) {
                            continue;
                        }
                        int accRow = dy / stride * wo;
                        for (int a = 0; a < n; a++) {
                            int ix = active[a];
                            int r = (ix + pad) % stride;
                            int m = cols[r];
                            int oxLo = (ix + pad - r) / stride - m + 1;
                            int j0 = Math.max(0, -oxLo);
                            int j1 = Math.min(m, wo - oxLo);
                            if (j1 <= j0) {
                                continue;
                            }
                            int ai = accRow + oxLo + j0;
                            int wi = offset[r] / out + (c * kernel + ky) * m + j0;
                            if (binary) {
                                for (int j = 0; j < j1 - j0; j++) {
                                    double[] av = acc[ai + j];
                                    double[] wv = dwv[wi + j];
                                    for (int e = 0; e < out; e++) {
                                        av[e] += wv[e];
                                    }
                                }
                            } else {
                                double v = vals[a];
                                for (int j = 0; j < j1 - j0; j++) {
                                    double[] av = acc[ai + j];
                                    double[] wv = dwv[wi + j];
                                    for (int e = 0; e < out; e++) {
                                        av[e] += v * wv[e];
                                    }
                                }
                            }
                        }
                    }
                }
            }
            if (add != null) {
                add.get((int) addend.offset() + f * outLen, y, 0, outLen);
                for (int o = 0; o < out; o++) {
                    double b = db[o];
                    for (int q = 0; q < pixels; q++) {
                        y[o * pixels + q] = (acc[q][o] + b) + y[o * pixels + q];
                    }
                }
            } else {
                for (int o = 0; o < out; o++) {
                    double b = db[o];
                    for (int q = 0; q < pixels; q++) {
                        y[o * pixels + q] = acc[q][o] + b;
                    }
                }
            }
            dst.put((int) output.offset() + f * outLen, y, 0, outLen);
        }
    }
}
