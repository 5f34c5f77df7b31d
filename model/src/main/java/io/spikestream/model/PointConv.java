package io.spikestream.model;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 1×1 convolution (the shortcut of a downsampling block, whose input is a real-valued membrane
 * potential) as plain Java loops: per frame the strided input pixels are gathered into contiguous
 * channel rows, and each output row is the bias plus {@code W[o, c] · row_c} for c ascending, a
 * loop over pixels that the JIT vectorises. On small feature maps this avoids the fixed cost of an
 * ND4J op call, which dominates there; the cost model in {@link MsResNet} measures both and picks.
 * Host memory only; not thread-safe (per-instance scratch).
 */
final class PointConv {
    private final int in;
    private final int out;
    private final int stride;
    private final float[] fw;
    private final double[] dw;
    private final float[] fb;
    private final double[] db;
    private final Scratch[] scratch = new Scratch[Parallel.PARTS];

    private static final class Scratch {
        float[] fx = new float[0];
        float[] fg = new float[0];
        float[] fy = new float[0];
        double[] dx = new double[0];
        double[] dg = new double[0];
        double[] dy = new double[0];
    }

    /** {@code weight [O, C, 1, 1]}, {@code bias [O]} as the dense conv's (float or double). */
    PointConv(INDArray weight, INDArray bias, int stride) {
        this.out = (int) weight.size(0);
        this.in = (int) weight.size(1);
        this.stride = stride;
        boolean f32 = weight.dataType() == DataType.FLOAT;
        double[] w = weight.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] b = bias.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        fw = f32 ? toFloat(w) : null;
        fb = f32 ? toFloat(b) : null;
        dw = f32 ? null : w;
        db = f32 ? null : b;
        for (int i = 0; i < scratch.length; i++) {
            scratch[i] = new Scratch();
        }
    }

    private static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
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
            parts = (long) frames * in * out * ho * wo < Parallel.MIN_WORK ? 1 : Parallel.PARTS;
        }
        int p = Math.max(1, Math.min(Math.min(parts, Parallel.PARTS), frames));
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
        if (s.fg.length < in * pixels) {
            s.fg = new float[in * pixels];
        }
        if (s.fy.length < out * pixels) {
            s.fy = new float[out * pixels];
        }
        float[] x = s.fx;
        float[] g = s.fg;
        float[] y = s.fy;
        FloatBuffer src = input.data().asNioFloat();
        FloatBuffer dst = output.data().asNioFloat();
        for (int f = f0; f < f1; f++) {
            src.get((int) input.offset() + f * inLen, x, 0, inLen);
            float[] rows = x;
            if (stride != 1) {
                for (int c = 0; c < in; c++) {
                    for (int oy = 0; oy < ho; oy++) {
                        int from = (c * h + oy * stride) * w;
                        int to = (c * ho + oy) * wo;
                        for (int ox = 0; ox < wo; ox++) {
                            g[to + ox] = x[from + ox * stride];
                        }
                    }
                }
                rows = g;
            }
            for (int o = 0; o < out; o++) {
                int yo = o * pixels;
                float b = fb[o];
                for (int q = 0; q < pixels; q++) {
                    y[yo + q] = 0f;
                }
                for (int c = 0; c < in; c++) {
                    float wc = fw[o * in + c];
                    int xc = c * pixels;
                    for (int q = 0; q < pixels; q++) {
                        y[yo + q] += wc * rows[xc + q];
                    }
                }
                for (int q = 0; q < pixels; q++) {
                    y[yo + q] += b;
                }
            }
            dst.put((int) output.offset() + f * out * pixels, y, 0, out * pixels);
        }
    }

    private void runDouble(INDArray input, INDArray output, int f0, int f1, int h, int w, int ho, int wo, Scratch s) {
        int inLen = in * h * w;
        int pixels = ho * wo;
        if (s.dx.length < inLen) {
            s.dx = new double[inLen];
        }
        if (s.dg.length < in * pixels) {
            s.dg = new double[in * pixels];
        }
        if (s.dy.length < out * pixels) {
            s.dy = new double[out * pixels];
        }
        double[] x = s.dx;
        double[] g = s.dg;
        double[] y = s.dy;
        DoubleBuffer src = input.data().asNioDouble();
        DoubleBuffer dst = output.data().asNioDouble();
        for (int f = f0; f < f1; f++) {
            src.get((int) input.offset() + f * inLen, x, 0, inLen);
            double[] rows = x;
            if (stride != 1) {
                for (int c = 0; c < in; c++) {
                    for (int oy = 0; oy < ho; oy++) {
                        int from = (c * h + oy * stride) * w;
                        int to = (c * ho + oy) * wo;
                        for (int ox = 0; ox < wo; ox++) {
                            g[to + ox] = x[from + ox * stride];
                        }
                    }
                }
                rows = g;
            }
            for (int o = 0; o < out; o++) {
                int yo = o * pixels;
                double b = db[o];
                for (int q = 0; q < pixels; q++) {
                    y[yo + q] = 0.0;
                }
                for (int c = 0; c < in; c++) {
                    double wc = dw[o * in + c];
                    int xc = c * pixels;
                    for (int q = 0; q < pixels; q++) {
                        y[yo + q] += wc * rows[xc + q];
                    }
                }
                for (int q = 0; q < pixels; q++) {
                    y[yo + q] += b;
                }
            }
            dst.put((int) output.offset() + f * out * pixels, y, 0, out * pixels);
        }
    }
}
