package io.spikestream.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Convolution as im2col + one GEMM on the OIHW weights as they are ({@code [O, C·k·k]}), for layers
 * with small outputs; off by default, on with {@code -Dspikestream.gemm.maxPixels=N}. It helps only
 * where every ND4J op call is expensive: with OpenMP's default (spinning) wait policy on an
 * oversubscribed machine, each oneDNN {@code conv2d} call cost milliseconds whatever its size, and
 * this path cut the CPU per window by a third. With {@code OMP_WAIT_POLICY=PASSIVE} (set by the
 * launcher) oneDNN is faster everywhere, so that is the default.
 * The column matrix is built transposed ({@code [(c, ky, kx), (frame, oy, ox)]}) from contiguous
 * row copies, multiplied as {@code W · cols}, and the {@code [O, (frame, pixel)]} result is copied
 * to NCHW in runs of a whole feature map; frames are processed in chunks so the scratch buffers
 * stay small. Works on host memory (CPU backend) only.
 */
final class GemmConv {
    /** Elements of each scratch buffer (16 MB in float32). */
    static final long SCRATCH_ELEMENTS = 4L << 20;

    /** Reused im2col and product buffers of one network (not thread-safe). */
    static final class Scratch {
        /** Outputs of at most this many pixels go through the GEMM path. */
        final int maxPixels;
        private final INDArray columns;
        private final INDArray product;
        // Java-array twins: the JIT vectorises loops over arrays, not over direct buffers
        private float[] fIn = new float[0];
        private float[] fCols = new float[0];
        private float[] fProd = new float[0];
        private float[] fOut = new float[0];
        private double[] dIn = new double[0];
        private double[] dCols = new double[0];
        private double[] dProd = new double[0];
        private double[] dOut = new double[0];

        Scratch(DataType type, int maxPixels) {
            this.maxPixels = maxPixels;
            columns = Nd4j.create(type, SCRATCH_ELEMENTS);
            product = Nd4j.create(type, SCRATCH_ELEMENTS);
        }

        void close() {
            MsResNet.closeArray(columns);
            MsResNet.closeArray(product);
        }

        long bytes() {
            return 2 * SCRATCH_ELEMENTS * columns.dataType().width();
        }

        private static float[] grow(float[] a, int n) {
            return a.length >= n ? a : new float[n];
        }

        private static double[] grow(double[] a, int n) {
            return a.length >= n ? a : new double[n];
        }
    }

    private GemmConv() {}

    /**
     * {@code output[F, O, Ho, Wo] = conv(input[F, C, H, W]) + bias}, weights {@code [O, C·k·k]}.
     */
    static void apply(INDArray input, INDArray weight2d, INDArray bias, int kernel, int stride, int pad,
            INDArray output, Scratch scratch) {
        long[] in = input.shape();
        long[] out = output.shape();
        int frames = (int) in[0];
        int channels = (int) in[1];
        int h = (int) in[2];
        int w = (int) in[3];
        int outChannels = (int) out[1];
        int ho = (int) out[2];
        int wo = (int) out[3];
        int pixels = ho * wo;
        int patch = channels * kernel * kernel;
        long perFrame = Math.max((long) pixels * patch, (long) pixels * outChannels);
        if (perFrame > SCRATCH_ELEMENTS) {
            throw new IllegalStateException("one frame of this convolution needs " + perFrame + " scratch elements");
        }
        int chunk = (int) Math.min(frames, SCRATCH_ELEMENTS / perFrame);
        boolean f32 = input.dataType() == DataType.FLOAT;
        for (int f0 = 0; f0 < frames; f0 += chunk) {
            int n = Math.min(chunk, frames - f0);
            int cols = n * pixels;
            // columns^T: [C·k·k, n·pixels], so that every row of it is filled by contiguous copies
            INDArray colsT = scratch.columns.get(NDArrayIndex.interval(0, (long) patch * cols)).reshape('c', patch, cols);
            INDArray prodT = scratch.product.get(NDArrayIndex.interval(0, (long) outChannels * cols)).reshape('c', outChannels, cols);
            int src = (int) input.offset() + f0 * channels * h * w;
            int dst = (int) output.offset() + f0 * outChannels * pixels;
            int inLen = n * channels * h * w;
            int colLen = patch * cols;
            int outLen = outChannels * cols;
            if (f32) {
                scratch.fIn = Scratch.grow(scratch.fIn, inLen);
                scratch.fCols = Scratch.grow(scratch.fCols, colLen);
                input.data().asNioFloat().get(src, scratch.fIn, 0, inLen);
                im2col(scratch.fIn, n, channels, h, w, kernel, stride, pad, ho, wo, scratch.fCols);
                colsT.data().asNioFloat().put((int) colsT.offset(), scratch.fCols, 0, colLen);
            } else {
                scratch.dIn = Scratch.grow(scratch.dIn, inLen);
                scratch.dCols = Scratch.grow(scratch.dCols, colLen);
                input.data().asNioDouble().get(src, scratch.dIn, 0, inLen);
                im2col(scratch.dIn, n, channels, h, w, kernel, stride, pad, ho, wo, scratch.dCols);
                colsT.data().asNioDouble().put((int) colsT.offset(), scratch.dCols, 0, colLen);
            }
            // [O, C·k·k] x [C·k·k, n·pixels] = [O, n·pixels]
            Nd4j.gemm(weight2d, colsT, prodT, false, false, 1.0, 0.0);
            if (f32) {
                scratch.fProd = Scratch.grow(scratch.fProd, outLen);
                scratch.fOut = Scratch.grow(scratch.fOut, outLen);
                prodT.data().asNioFloat().get((int) prodT.offset(), scratch.fProd, 0, outLen);
                float[] b = new float[outChannels];
                bias.data().asNioFloat().get((int) bias.offset(), b, 0, outChannels);
                toNchw(scratch.fProd, n, pixels, outChannels, b, scratch.fOut);
                output.data().asNioFloat().put(dst, scratch.fOut, 0, outLen);
            } else {
                scratch.dProd = Scratch.grow(scratch.dProd, outLen);
                scratch.dOut = Scratch.grow(scratch.dOut, outLen);
                prodT.data().asNioDouble().get((int) prodT.offset(), scratch.dProd, 0, outLen);
                double[] b = new double[outChannels];
                bias.data().asNioDouble().get((int) bias.offset(), b, 0, outChannels);
                toNchw(scratch.dProd, n, pixels, outChannels, b, scratch.dOut);
                output.data().asNioDouble().put(dst, scratch.dOut, 0, outLen);
            }
        }
    }

    /** First output column whose input column {@code ox·s − p + kx} is inside the image. */
    private static int firstInside(int s, int p, int kx) {
        return Math.max(0, Math.floorDiv(p - kx + s - 1, s));
    }

    /** One past the last output column whose input column lies inside an image of width {@code w}. */
    private static int endInside(int w, int s, int p, int kx, int wo) {
        return Math.min(wo, Math.floorDiv(w - 1 + p - kx, s) + 1);
    }

    private static void im2col(float[] in, int n, int c, int h, int w, int k, int s, int p, int ho, int wo, float[] col) {
        int parts = Parallel.parts((long) c * k * k * n * ho * wo, c);
        Parallel.run(parts, part -> im2col(in, n, c, h, w, k, s, p, ho, wo, col, c * part / parts, c * (part + 1) / parts));
    }

    private static void im2col(double[] in, int n, int c, int h, int w, int k, int s, int p, int ho, int wo, double[] col) {
        int parts = Parallel.parts((long) c * k * k * n * ho * wo, c);
        Parallel.run(parts, part -> im2col(in, n, c, h, w, k, s, p, ho, wo, col, c * part / parts, c * (part + 1) / parts));
    }

    /** Rows of input channels {@code [c0, c1)}. */
    private static void im2col(float[] in, int n, int c, int h, int w, int k, int s, int p, int ho, int wo, float[] col,
            int c0, int c1) {
        int cols = n * ho * wo;
        for (int ch = c0; ch < c1; ch++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int row = ((ch * k + ky) * k + kx) * cols;
                    int lo = firstInside(s, p, kx);
                    int hi = Math.max(lo, endInside(w, s, p, kx, wo));
                    for (int f = 0; f < n; f++) {
                        int plane = (f * c + ch) * h * w;
                        for (int oy = 0; oy < ho; oy++) {
                            int d = row + (f * ho + oy) * wo;
                            int iy = oy * s - p + ky;
                            if (iy < 0 || iy >= h) {
                                for (int ox = 0; ox < wo; ox++) {
                                    col[d + ox] = 0f;
                                }
                                continue;
                            }
                            int srcRow = plane + iy * w - p + kx;
                            for (int ox = 0; ox < lo; ox++) {
                                col[d + ox] = 0f;
                            }
                            if (s == 1) {
                                System.arraycopy(in, srcRow + lo, col, d + lo, hi - lo);
                            } else {
                                for (int ox = lo; ox < hi; ox++) {
                                    col[d + ox] = in[srcRow + ox * s];
                                }
                            }
                            for (int ox = hi; ox < wo; ox++) {
                                col[d + ox] = 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    private static void im2col(double[] in, int n, int c, int h, int w, int k, int s, int p, int ho, int wo, double[] col,
            int c0, int c1) {
        int cols = n * ho * wo;
        for (int ch = c0; ch < c1; ch++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int row = ((ch * k + ky) * k + kx) * cols;
                    int lo = firstInside(s, p, kx);
                    int hi = Math.max(lo, endInside(w, s, p, kx, wo));
                    for (int f = 0; f < n; f++) {
                        int plane = (f * c + ch) * h * w;
                        for (int oy = 0; oy < ho; oy++) {
                            int d = row + (f * ho + oy) * wo;
                            int iy = oy * s - p + ky;
                            if (iy < 0 || iy >= h) {
                                for (int ox = 0; ox < wo; ox++) {
                                    col[d + ox] = 0.0;
                                }
                                continue;
                            }
                            int srcRow = plane + iy * w - p + kx;
                            for (int ox = 0; ox < lo; ox++) {
                                col[d + ox] = 0.0;
                            }
                            if (s == 1) {
                                System.arraycopy(in, srcRow + lo, col, d + lo, hi - lo);
                            } else {
                                for (int ox = lo; ox < hi; ox++) {
                                    col[d + ox] = in[srcRow + ox * s];
                                }
                            }
                            for (int ox = hi; ox < wo; ox++) {
                                col[d + ox] = 0.0;
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code [O, n·pixels]} (GEMM result) to NCHW {@code [n, O, pixels]}, adding the bias: contiguous runs of {@code pixels}. */
    private static void toNchw(float[] src, int n, int pixels, int o, float[] bias, float[] dst) {
        int parts = Parallel.parts((long) n * pixels * o, o);
        Parallel.run(parts, part -> toNchw(src, n, pixels, o, bias, dst, o * part / parts, o * (part + 1) / parts));
    }

    private static void toNchw(double[] src, int n, int pixels, int o, double[] bias, double[] dst) {
        int parts = Parallel.parts((long) n * pixels * o, o);
        Parallel.run(parts, part -> toNchw(src, n, pixels, o, bias, dst, o * part / parts, o * (part + 1) / parts));
    }

    /** Output channels {@code [o0, o1)}. */
    private static void toNchw(float[] src, int n, int pixels, int o, float[] bias, float[] dst, int o0, int o1) {
        int cols = n * pixels;
        for (int ch = o0; ch < o1; ch++) {
            float b = bias[ch];
            for (int f = 0; f < n; f++) {
                int sIdx = ch * cols + f * pixels;
                int d = (f * o + ch) * pixels;
                for (int q = 0; q < pixels; q++) {
                    dst[d + q] = src[sIdx + q] + b;
                }
            }
        }
    }

    private static void toNchw(double[] src, int n, int pixels, int o, double[] bias, double[] dst, int o0, int o1) {
        int cols = n * pixels;
        for (int ch = o0; ch < o1; ch++) {
            double b = bias[ch];
            for (int f = 0; f < n; f++) {
                int sIdx = ch * cols + f * pixels;
                int d = (f * o + ch) * pixels;
                for (int q = 0; q < pixels; q++) {
                    dst[d + q] = src[sIdx + q] + b;
                }
            }
        }
    }
}
