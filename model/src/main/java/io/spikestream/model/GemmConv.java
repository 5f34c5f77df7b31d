package io.spikestream.model;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Convolution as im2col + one GEMM, for layers with small outputs. ND4J's oneDNN convolution builds
 * (JIT-compiles) its primitive and reorders the weights on every call, which costs milliseconds per
 * call whatever the size; for the 16×16 … 2×2 feature maps of the later stages that overhead
 * dominates, while a GEMM on the OIHW weights as they are ({@code [O, C·k·k]}) has none.
 * The column matrix is built transposed ({@code [(c, ky, kx), (frame, oy, ox)]}) from contiguous
 * row copies, multiplied as {@code W · cols}, and the {@code [O, (frame, pixel)]} result is copied
 * to NCHW in runs of a whole feature map; frames are processed in chunks so the scratch buffers
 * stay small. Works on host memory (CPU backend) only.
 */
final class GemmConv {
    /** Outputs of at most this many pixels (16×16) go through the GEMM path. */
    static final int MAX_PIXELS = 256;
    /** Elements of each scratch buffer (16 MB in float32). */
    static final long SCRATCH_ELEMENTS = 4L << 20;

    /** Reused im2col and product buffers of one network (not thread-safe). */
    static final class Scratch {
        private final INDArray columns;
        private final INDArray product;

        Scratch(DataType type) {
            columns = Nd4j.create(type, SCRATCH_ELEMENTS);
            product = Nd4j.create(type, SCRATCH_ELEMENTS);
        }

        long bytes() {
            return 2 * SCRATCH_ELEMENTS * columns.dataType().width();
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
            if (f32) {
                im2colFloat(input.data().asNioFloat(), src, n, channels, h, w, kernel, stride, pad, ho, wo,
                        colsT.data().asNioFloat(), (int) colsT.offset());
            } else {
                im2colDouble(input.data().asNioDouble(), src, n, channels, h, w, kernel, stride, pad, ho, wo,
                        colsT.data().asNioDouble(), (int) colsT.offset());
            }
            // [O, C·k·k] x [C·k·k, n·pixels] = [O, n·pixels]
            Nd4j.gemm(weight2d, colsT, prodT, false, false, 1.0, 0.0);
            if (f32) {
                toNchwFloat(prodT.data().asNioFloat(), (int) prodT.offset(), n, pixels, outChannels,
                        bias.data().asNioFloat(), (int) bias.offset(), output.data().asNioFloat(), dst);
            } else {
                toNchwDouble(prodT.data().asNioDouble(), (int) prodT.offset(), n, pixels, outChannels,
                        bias.data().asNioDouble(), (int) bias.offset(), output.data().asNioDouble(), dst);
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

    private static void im2colFloat(FloatBuffer in, int inBase, int n, int c, int h, int w, int k, int s, int p,
            int ho, int wo, FloatBuffer col, int colBase) {
        int cols = n * ho * wo;
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int row = colBase + ((ch * k + ky) * k + kx) * cols;
                    int lo = firstInside(s, p, kx);
                    int hi = Math.max(lo, endInside(w, s, p, kx, wo));
                    for (int f = 0; f < n; f++) {
                        int plane = inBase + (f * c + ch) * h * w;
                        for (int oy = 0; oy < ho; oy++) {
                            int d = row + (f * ho + oy) * wo;
                            int iy = oy * s - p + ky;
                            if (iy < 0 || iy >= h) {
                                for (int ox = 0; ox < wo; ox++) {
                                    col.put(d + ox, 0f);
                                }
                                continue;
                            }
                            int srcRow = plane + iy * w - p + kx;
                            for (int ox = 0; ox < lo; ox++) {
                                col.put(d + ox, 0f);
                            }
                            if (s == 1) {
                                col.put(d + lo, in, srcRow + lo, hi - lo);
                            } else {
                                for (int ox = lo; ox < hi; ox++) {
                                    col.put(d + ox, in.get(srcRow + ox * s));
                                }
                            }
                            for (int ox = hi; ox < wo; ox++) {
                                col.put(d + ox, 0f);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void im2colDouble(DoubleBuffer in, int inBase, int n, int c, int h, int w, int k, int s, int p,
            int ho, int wo, DoubleBuffer col, int colBase) {
        int cols = n * ho * wo;
        for (int ch = 0; ch < c; ch++) {
            for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                    int row = colBase + ((ch * k + ky) * k + kx) * cols;
                    int lo = firstInside(s, p, kx);
                    int hi = Math.max(lo, endInside(w, s, p, kx, wo));
                    for (int f = 0; f < n; f++) {
                        int plane = inBase + (f * c + ch) * h * w;
                        for (int oy = 0; oy < ho; oy++) {
                            int d = row + (f * ho + oy) * wo;
                            int iy = oy * s - p + ky;
                            if (iy < 0 || iy >= h) {
                                for (int ox = 0; ox < wo; ox++) {
                                    col.put(d + ox, 0.0);
                                }
                                continue;
                            }
                            int srcRow = plane + iy * w - p + kx;
                            for (int ox = 0; ox < lo; ox++) {
                                col.put(d + ox, 0.0);
                            }
                            if (s == 1) {
                                col.put(d + lo, in, srcRow + lo, hi - lo);
                            } else {
                                for (int ox = lo; ox < hi; ox++) {
                                    col.put(d + ox, in.get(srcRow + ox * s));
                                }
                            }
                            for (int ox = hi; ox < wo; ox++) {
                                col.put(d + ox, 0.0);
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code [O, n·pixels]} (GEMM result) to NCHW {@code [n, O, pixels]}, adding the bias: contiguous runs of {@code pixels}. */
    private static void toNchwFloat(FloatBuffer src, int srcBase, int n, int pixels, int o, FloatBuffer bias, int biasBase,
            FloatBuffer dst, int dstBase) {
        int cols = n * pixels;
        for (int ch = 0; ch < o; ch++) {
            float b = bias.get(biasBase + ch);
            for (int f = 0; f < n; f++) {
                int sIdx = srcBase + ch * cols + f * pixels;
                int d = dstBase + (f * o + ch) * pixels;
                for (int q = 0; q < pixels; q++) {
                    dst.put(d + q, src.get(sIdx + q) + b);
                }
            }
        }
    }

    private static void toNchwDouble(DoubleBuffer src, int srcBase, int n, int pixels, int o, DoubleBuffer bias, int biasBase,
            DoubleBuffer dst, int dstBase) {
        int cols = n * pixels;
        for (int ch = 0; ch < o; ch++) {
            double b = bias.get(biasBase + ch);
            for (int f = 0; f < n; f++) {
                int sIdx = srcBase + ch * cols + f * pixels;
                int d = dstBase + (f * o + ch) * pixels;
                for (int q = 0; q < pixels; q++) {
                    dst.put(d + q, src.get(sIdx + q) + b);
                }
            }
        }
    }
}
