package io.spikestream.model.train;

import io.spikestream.model.Parallel;
import java.lang.ref.Reference;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Threshold-dependent batch norm ({@code BatchNorm3d} over the {@code [N, C, T, H, W]} view):
 * per channel over (T, N, H, W), which on the time-major {@code [T*N, C, H, W]} layout is a
 * reduction over dimensions 0, 2 and 3.
 *
 * <p>Training mode follows PyTorch: normalise with the biased batch variance, but feed the
 * <em>unbiased</em> variance ({@code n / (n - 1)}) into {@code running_var}; momentum 0.1;
 * {@code num_batches_tracked} counts the updates. Statistics are accumulated in double. The
 * per-channel loops run in plain Java: as ND4J calls the strided per-channel reductions and
 * broadcasts cost several times more than the arithmetic.
 */
final class TdBatchNorm {
    static final double MOMENTUM = 0.1;

    private final Parameter weight;
    private final Parameter bias;
    private final INDArray runningMean;
    private final INDArray runningVar;
    private final INDArray batchesTracked;
    private final double eps;

    private long[] shape;
    private HostBuffer input;
    private INDArray output;
    private INDArray gradIn;
    private double[] mean;
    private double[] invStd;
    private BnMode mode;

    TdBatchNorm(ParameterStore store, String prefix, int channels, double eps) {
        this.weight = store.parameter(prefix + ".weight", false, channels);
        this.bias = store.parameter(prefix + ".bias", false, channels);
        DataType dt = store.dataType();
        this.runningMean = store.buffer(prefix + ".running_mean", Nd4j.zeros(dt, channels));
        this.runningVar = store.buffer(prefix + ".running_var", Nd4j.ones(dt, channels));
        this.batchesTracked = store.buffer(prefix + ".num_batches_tracked", Nd4j.scalar(DataType.LONG, 0L));
        this.eps = eps;
    }

    Parameter weight() {
        return weight;
    }

    Parameter bias() {
        return bias;
    }

    INDArray forward(INDArray x, BnMode mode) {
        this.mode = mode;
        shape = x.shape();
        int b = (int) shape[0];
        int c = (int) shape[1];
        int hw = (int) (x.length() / ((long) b * c));
        HostBuffer v = HostBuffer.of(x);
        long n = (long) b * hw;
        // channels are independent: each part takes its own range of them through every pass
        int parts = Parallel.parts(x.length(), c);
        double[] mean;
        double[] var;
        if (mode == BnMode.TRAIN) {
            double[] sums = new double[c];
            double[] squares = new double[c];
            Parallel.run(parts, part -> {
                int c0 = Parallel.start(c, part, parts);
                int c1 = Parallel.start(c, part + 1, parts);
                for (int bi = 0; bi < b; bi++) {
                    for (int ci = c0; ci < c1; ci++) {
                        int off = (bi * c + ci) * hw;
                        double s = 0;
                        for (int i = 0; i < hw; i++) {
                            s += v.get(off + i);
                        }
                        sums[ci] += s;
                    }
                }
                for (int bi = 0; bi < b; bi++) {
                    for (int ci = c0; ci < c1; ci++) {
                        int off = (bi * c + ci) * hw;
                        double m = sums[ci] / n;
                        double s = 0;
                        for (int i = 0; i < hw; i++) {
                            double d = v.get(off + i) - m;
                            s += d * d;
                        }
                        squares[ci] += s;
                    }
                }
            });
            mean = new double[c];
            var = new double[c];
            HostBuffer rmBuf = HostBuffer.writable(runningMean);
            HostBuffer rvBuf = HostBuffer.writable(runningVar);
            double[] rm = rmBuf.toDoubles();
            double[] rv = rvBuf.toDoubles();
            for (int ci = 0; ci < c; ci++) {
                mean[ci] = sums[ci] / n;
                var[ci] = squares[ci] / n;
                rm[ci] = (1 - MOMENTUM) * rm[ci] + MOMENTUM * mean[ci];
                rv[ci] = (1 - MOMENTUM) * rv[ci] + MOMENTUM * var[ci] * n / Math.max(1, n - 1);
            }
            rmBuf.setAll(rm);
            rvBuf.setAll(rv);
            batchesTracked.assign(batchesTracked.getLong(0) + 1);
        } else {
            mean = HostBuffer.of(runningMean).toDoubles();
            var = HostBuffer.of(runningVar).toDoubles();
        }
        double[] gamma = HostBuffer.of(weight.value()).toDoubles();
        double[] beta = HostBuffer.of(bias.value()).toDoubles();
        this.mean = mean;
        double[] inv = new double[c];
        for (int ci = 0; ci < c; ci++) {
            inv[ci] = 1.0 / Math.sqrt(var[ci] + eps);
        }
        invStd = inv;
        // backward recomputes x̂ from the input instead of keeping a second tensor of its size
        input = v;
        output = HostBuffer.reuse(output, v.array().dataType(), shape);
        HostBuffer y = HostBuffer.writable(output);
        Parallel.run(parts, part -> {
            int c0 = Parallel.start(c, part, parts);
            int c1 = Parallel.start(c, part + 1, parts);
            for (int bi = 0; bi < b; bi++) {
                for (int ci = c0; ci < c1; ci++) {
                    int off = (bi * c + ci) * hw;
                    double m = mean[ci];
                    double is = inv[ci];
                    double g = gamma[ci];
                    double be = beta[ci];
                    for (int i = 0; i < hw; i++) {
                        y.set(off + i, (v.get(off + i) - m) * is * g + be);
                    }
                }
            }
        });
        // the loops address native memory directly: keep its owners alive until they are done
        Reference.reachabilityFence(v);
        Reference.reachabilityFence(y);
        return HostBuffer.as(output, x.dataType());
    }

    INDArray backward(INDArray gradOut) {
        int b = (int) shape[0];
        int c = (int) shape[1];
        int hw = (int) (gradOut.length() / ((long) b * c));
        long n = (long) b * hw;
        HostBuffer g = HostBuffer.of(gradOut);
        HostBuffer x = input;
        double[] mean = this.mean;
        double[] inv = invStd;
        double[] sumDy = new double[c];
        double[] sumDyXhat = new double[c];
        double[] gamma = HostBuffer.of(weight.value()).toDoubles();
        gradIn = HostBuffer.reuse(gradIn, g.array().dataType(), shape);
        HostBuffer gx = HostBuffer.writable(gradIn);
        boolean train = mode == BnMode.TRAIN;
        int parts = Parallel.parts(gradOut.length(), c);
        Parallel.run(parts, part -> {
            int c0 = Parallel.start(c, part, parts);
            int c1 = Parallel.start(c, part + 1, parts);
            for (int bi = 0; bi < b; bi++) {
                for (int ci = c0; ci < c1; ci++) {
                    int off = (bi * c + ci) * hw;
                    double m = mean[ci];
                    double is = inv[ci];
                    double s = 0;
                    double sx = 0;
                    for (int i = 0; i < hw; i++) {
                        double dy = g.get(off + i);
                        s += dy;
                        sx += dy * ((x.get(off + i) - m) * is);
                    }
                    sumDy[ci] += s;
                    sumDyXhat[ci] += sx;
                }
            }
            for (int bi = 0; bi < b; bi++) {
                for (int ci = c0; ci < c1; ci++) {
                    int off = (bi * c + ci) * hw;
                    double scale = gamma[ci] * inv[ci];
                    if (train) {
                        // dx = gamma / sigma * (dy - mean(dy) - xhat * mean(dy * xhat)), means per channel
                        double md = sumDy[ci] / n;
                        double mdx = sumDyXhat[ci] / n;
                        double m = mean[ci];
                        double is = inv[ci];
                        for (int i = 0; i < hw; i++) {
                            double xhat = (x.get(off + i) - m) * is;
                            gx.set(off + i, (g.get(off + i) - md - xhat * mdx) * scale);
                        }
                    } else {
                        for (int i = 0; i < hw; i++) {
                            gx.set(off + i, g.get(off + i) * scale);
                        }
                    }
                }
            }
        });
        Reference.reachabilityFence(g);
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(gx);
        HostBuffer.writable(bias.grad()).setAll(sumDy);
        HostBuffer.writable(weight.grad()).setAll(sumDyXhat);
        input = null;
        return HostBuffer.as(gradIn, gradOut.dataType());
    }
}
