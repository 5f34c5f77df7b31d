package io.spikestream.model.train;

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
    private double[] xhat;
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
        double[] v = HostArrays.read(x);
        double[] mean = new double[c];
        double[] var = new double[c];
        long n = (long) b * hw;
        if (mode == BnMode.TRAIN) {
            for (int bi = 0; bi < b; bi++) {
                for (int ci = 0; ci < c; ci++) {
                    int off = (bi * c + ci) * hw;
                    double s = 0;
                    for (int i = 0; i < hw; i++) {
                        s += v[off + i];
                    }
                    mean[ci] += s;
                }
            }
            for (int ci = 0; ci < c; ci++) {
                mean[ci] /= n;
            }
            for (int bi = 0; bi < b; bi++) {
                for (int ci = 0; ci < c; ci++) {
                    int off = (bi * c + ci) * hw;
                    double m = mean[ci];
                    double s = 0;
                    for (int i = 0; i < hw; i++) {
                        double d = v[off + i] - m;
                        s += d * d;
                    }
                    var[ci] += s;
                }
            }
            double[] rm = runningMean.castTo(DataType.DOUBLE).data().asDouble();
            double[] rv = runningVar.castTo(DataType.DOUBLE).data().asDouble();
            for (int ci = 0; ci < c; ci++) {
                var[ci] /= n;
                rm[ci] = (1 - MOMENTUM) * rm[ci] + MOMENTUM * mean[ci];
                rv[ci] = (1 - MOMENTUM) * rv[ci] + MOMENTUM * var[ci] * n / Math.max(1, n - 1);
            }
            runningMean.assign(Nd4j.create(rm, new long[] {c}, DataType.DOUBLE));
            runningVar.assign(Nd4j.create(rv, new long[] {c}, DataType.DOUBLE));
            batchesTracked.assign(batchesTracked.getLong(0) + 1);
        } else {
            mean = runningMean.castTo(DataType.DOUBLE).data().asDouble();
            var = runningVar.castTo(DataType.DOUBLE).data().asDouble();
        }
        double[] gamma = weight.value().castTo(DataType.DOUBLE).data().asDouble();
        double[] beta = bias.value().castTo(DataType.DOUBLE).data().asDouble();
        invStd = new double[c];
        for (int ci = 0; ci < c; ci++) {
            invStd[ci] = 1.0 / Math.sqrt(var[ci] + eps);
        }
        xhat = new double[v.length];
        double[] y = new double[v.length];
        for (int bi = 0; bi < b; bi++) {
            for (int ci = 0; ci < c; ci++) {
                int off = (bi * c + ci) * hw;
                double m = mean[ci];
                double is = invStd[ci];
                double g = gamma[ci];
                double be = beta[ci];
                for (int i = 0; i < hw; i++) {
                    double h = (v[off + i] - m) * is;
                    xhat[off + i] = h;
                    y[off + i] = h * g + be;
                }
            }
        }
        return HostArrays.write(y, shape, x.dataType());
    }

    INDArray backward(INDArray gradOut) {
        int b = (int) shape[0];
        int c = (int) shape[1];
        int hw = (int) (gradOut.length() / ((long) b * c));
        long n = (long) b * hw;
        double[] g = HostArrays.read(gradOut);
        double[] sumDy = new double[c];
        double[] sumDyXhat = new double[c];
        for (int bi = 0; bi < b; bi++) {
            for (int ci = 0; ci < c; ci++) {
                int off = (bi * c + ci) * hw;
                double s = 0;
                double sx = 0;
                for (int i = 0; i < hw; i++) {
                    s += g[off + i];
                    sx += g[off + i] * xhat[off + i];
                }
                sumDy[ci] += s;
                sumDyXhat[ci] += sx;
            }
        }
        DataType dt = weight.value().dataType();
        bias.grad().assign(Nd4j.create(sumDy, new long[] {c}, DataType.DOUBLE).castTo(dt));
        weight.grad().assign(Nd4j.create(sumDyXhat, new long[] {c}, DataType.DOUBLE).castTo(dt));
        double[] gamma = weight.value().castTo(DataType.DOUBLE).data().asDouble();
        double[] gx = new double[g.length];
        boolean train = mode == BnMode.TRAIN;
        for (int bi = 0; bi < b; bi++) {
            for (int ci = 0; ci < c; ci++) {
                int off = (bi * c + ci) * hw;
                double scale = gamma[ci] * invStd[ci];
                if (train) {
                    // dx = gamma / sigma * (dy - mean(dy) - xhat * mean(dy * xhat)), means per channel
                    double md = sumDy[ci] / n;
                    double mdx = sumDyXhat[ci] / n;
                    for (int i = 0; i < hw; i++) {
                        gx[off + i] = (g[off + i] - md - xhat[off + i] * mdx) * scale;
                    }
                } else {
                    for (int i = 0; i < hw; i++) {
                        gx[off + i] = g[off + i] * scale;
                    }
                }
            }
        }
        xhat = null;
        return HostArrays.write(gx, shape, gradOut.dataType());
    }
}
