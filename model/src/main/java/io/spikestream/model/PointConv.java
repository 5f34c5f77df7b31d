package io.spikestream.model;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 1×1 convolution (the shortcut of a downsampling block, whose input is a real-valued membrane
 * potential) as plain Java loops: per frame the (strided) input pixels are gathered into one row per
 * channel, and each output row is the bias plus {@code W[o, c] · row_c} for c ascending, a loop over
 * pixels; on maps with fewer pixels than output channels the same sums, in the same order, are taken
 * per pixel over all output channels at once (a loop over channels). Rows and weight vectors are
 * separate arrays so that both operands of the inner loop start at index 0: the JIT (C2 of Java 17)
 * vectorises {@code a[i] += w * b[i]} but not {@code a[p + i] += w * b[q + i]} (about 10× slower,
 * measured). On small feature maps this avoids the fixed cost of an ND4J op call, which dominates
 * there; the cost model in {@link MsResNet} measures both and picks.
 * Host memory only; not thread-safe (per-instance scratch).
 */
final class PointConv {
    private final int in;
    private final int out;
    private final int stride;
    /** Weights per output channel {@code [O][C]} and per input channel {@code [C][O]}. */
    private final float[][] fw;
    private final float[][] fwT;
    private final double[][] dw;
    private final double[][] dwT;
    private final float[] fb;
    private final double[] db;
    private final Scratch[] scratch = new Scratch[Parallel.PARTS];

    private static final class Scratch {
        float[] fx = new float[0];
        float[][] frows = new float[0][];
        float[][] fy = new float[0][];
        float[] facc = new float[0];
        double[] dx = new double[0];
        double[][] drows = new double[0][];
        double[][] dy = new double[0][];
        double[] dacc = new double[0];
        float[] fout = new float[0];
        double[] dout = new double[0];
    }

    /** {@code weight [O, C, 1, 1]}, {@code bias [O]} as the dense conv's (float or double). */
    PointConv(INDArray weight, INDArray bias, int stride) {
        this.out = (int) weight.size(0);
        this.in = (int) weight.size(1);
        this.stride = stride;
        boolean f32 = weight.dataType() == DataType.FLOAT;
        double[] w = weight.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] b = bias.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[][] byOut = new double[out][in];
        double[][] byIn = new double[in][out];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < in; c++) {
                byOut[o][c] = w[o * in + c];
                byIn[c][o] = w[o * in + c];
            }
        }
        // the values are those of the (already rounded) dense weights, so the cast back is exact
        fw = f32 ? toFloat(byOut) : null;
        fwT = f32 ? toFloat(byIn) : null;
        dw = f32 ? null : byOut;
        dwT = f32 ? null : byIn;
        fb = f32 ? toFloat(new double[][] {b})[0] : null;
        db = f32 ? null : b;
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = new Scratch();
        }
    }

    private static float[][] toFloat(double[][] a) {
        float[][] f = new float[a.length][];
        for (int i = 0; i < a.length; i++) {
            f[i] = new float[a[i].length];
            for (int j = 0; j < a[i].length; j++) {
                f[i][j] = (float) a[i][j];
            }
        }
        return f;
    }

    /** {@code output[F, O, Ho, Wo] = W · input[F, C, H, W] (strided) + bias}. */
    void apply(INDArray input, INDArray output) {
        apply(input, output, 0);
    }

    /** As {@link #apply(INDArray, INDArray)}, the frames split into {@code parts} parts (0: by a rough work floor). */
    void apply(INDArray input, INDArray output, int parts) {
        int frames = (int) input.size(0);
        int h = (int) input.size(2);
        int w = (int) input.size(3);
        int ho = (int) output.size(2);
        int wo = (int) output.size(3);
        boolean f32 = fw != null;
        if (parts <= 0) {
            parts = (long) frames * in * out * ho * wo < Parallel.MIN_WORK ? 1 : Parallel.width();
        }
        int p = Math.max(1, Math.min(Math.min(parts, Parallel.width()), frames));
        Parallel.run(p, part -> {
            int f0 = Parallel.start(frames, part, p);
            int f1 = Parallel.start(frames, part + 1, p);
            if (f32) {
                runFloat(input, output, f0, f1, h, w, ho, wo, scratch[part]);
            } else {
                runDouble(input, output, f0, f1, h, w, ho, wo, scratch[part]);
            }
        });
    }

    private void runFloat(INDArray input, INDArray output, int f0, int f1, int h, int w, int ho, int wo, Scratch s) {
        int inLen = in * h * w;
        int pixels = ho * wo;
        if (s.fx.length < inLen) {
            s.fx = new float[inLen];
        }
        if (s.frows.length < in || s.frows[0].length < pixels) {
            s.frows = new float[in][pixels];
        }
        if (s.fy.length < out || s.fy[0].length < pixels) {
            s.fy = new float[out][pixels];
        }
        if (s.facc.length < out) {
            s.facc = new float[out];
        }
        if (s.fout.length < out * pixels) {
            s.fout = new float[out * pixels];
        }
        float[] x = s.fx;
        float[][] rows = s.frows;
        float[][] y = s.fy;
        float[] acc = s.facc;
        float[] o2 = s.fout;
        FloatBuffer src = input.data().asNioFloat();
        FloatBuffer dst = output.data().asNioFloat();
        for (int f = f0; f < f1; f++) {
            src.get((int) input.offset() + f * inLen, x, 0, inLen);
            for (int c = 0; c < in; c++) {
                float[] row = rows[c];
                for (int oy = 0; oy < ho; oy++) {
                    int from = (c * h + oy * stride) * w;
                    int to = oy * wo;
                    for (int ox = 0; ox < wo; ox++) {
                        row[to + ox] = x[from + ox * stride];
                    }
                }
            }
            if (pixels < out) {
                // few pixels: per pixel all outputs at once, a loop over the output channels (same sums, same order)
                for (int q = 0; q < pixels; q++) {
                    Arrays.fill(acc, 0, out, 0f);
                    for (int c = 0; c < in; c++) {
                        float xc = rows[c][q];
                        float[] wc = fwT[c];
                        for (int o = 0; o < out; o++) {
                            acc[o] += wc[o] * xc;
                        }
                    }
                    for (int o = 0; o < out; o++) {
                        o2[o * pixels + q] = acc[o] + fb[o];
                    }
                }
            } else {
                for (int o = 0; o < out; o++) {
                    float[] yo = y[o];
                    float[] wo2 = fw[o];
                    Arrays.fill(yo, 0, pixels, 0f);
                    for (int c = 0; c < in; c++) {
                        float wc = wo2[c];
                        float[] row = rows[c];
                        for (int q = 0; q < pixels; q++) {
                            yo[q] += wc * row[q];
                        }
                    }
                    float b = fb[o];
                    int base = o * pixels;
                    for (int q = 0; q < pixels; q++) {
                        o2[base + q] = yo[q] + b;
                    }
                }
            }
            dst.put((int) output.offset() + f * out * pixels, o2, 0, out * pixels);
        }
    }

    private void runDouble(INDArray input, INDArray output, int f0, int f1, int h, int w, int ho, int wo, Scratch s) {
        int inLen = in * h * w;
        int pixels = ho * wo;
        if (s.dx.length < inLen) {
            s.dx = new double[inLen];
        }
        if (s.drows.length < in || s.drows[0].length < pixels) {
            s.drows = new double[in][pixels];
        }
        if (s.dy.length < out || s.dy[0].length < pixels) {
            s.dy = new double[out][pixels];
        }
        if (s.dacc.length < out) {
            s.dacc = new double[out];
        }
        if (s.dout.length < out * pixels) {
            s.dout = new double[out * pixels];
        }
        double[] x = s.dx;
        double[][] rows = s.drows;
        double[][] y = s.dy;
        double[] acc = s.dacc;
        double[] o2 = s.dout;
        DoubleBuffer src = input.data().asNioDouble();
        DoubleBuffer dst = output.data().asNioDouble();
        for (int f = f0; f < f1; f++) {
            src.get((int) input.offset() + f * inLen, x, 0, inLen);
            for (int c = 0; c < in; c++) {
                double[] row = rows[c];
                for (int oy = 0; oy < ho; oy++) {
                    int from = (c * h + oy * stride) * w;
                    int to = oy * wo;
                    for (int ox = 0; ox < wo; ox++) {
                        row[to + ox] = x[from + ox * stride];
                    }
                }
            }
            if (pixels < out) {
                for (int q = 0; q < pixels; q++) {
                    Arrays.fill(acc, 0, out, 0.0);
                    for (int c = 0; c < in; c++) {
                        double xc = rows[c][q];
                        double[] wc = dwT[c];
                        for (int o = 0; o < out; o++) {
                            acc[o] += wc[o] * xc;
                        }
                    }
                    for (int o = 0; o < out; o++) {
                        o2[o * pixels + q] = acc[o] + db[o];
                    }
                }
            } else {
                for (int o = 0; o < out; o++) {
                    double[] yo = y[o];
                    double[] wo2 = dw[o];
                    Arrays.fill(yo, 0, pixels, 0.0);
                    for (int c = 0; c < in; c++) {
                        double wc = wo2[c];
                        double[] row = rows[c];
                        for (int q = 0; q < pixels; q++) {
                            yo[q] += wc * row[q];
                        }
                    }
                    double b = db[o];
                    int base = o * pixels;
                    for (int q = 0; q < pixels; q++) {
                        o2[base + q] = yo[q] + b;
                    }
                }
            }
            dst.put((int) output.offset() + f * out * pixels, o2, 0, out * pixels);
        }
    }
}
