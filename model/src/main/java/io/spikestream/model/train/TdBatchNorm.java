package io.spikestream.model.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Threshold-dependent batch norm ({@code BatchNorm3d} over the {@code [N, C, T, H, W]} view):
 * per channel over (T, N, H, W), which on the time-major {@code [T*N, C, H, W]} layout is a
 * reduction over dimensions 0, 2 and 3.
 *
 * <p>Training mode follows PyTorch: normalise with the biased batch variance, but feed the
 * <em>unbiased</em> variance ({@code n / (n - 1)}) into {@code running_var}; momentum 0.1;
 * {@code num_batches_tracked} counts the updates.
 */
final class TdBatchNorm {
    static final double MOMENTUM = 0.1;

    private final Parameter weight;
    private final Parameter bias;
    private final INDArray runningMean;
    private final INDArray runningVar;
    private final INDArray batchesTracked;
    private final double eps;

    private INDArray xhat;
    private INDArray invStd;
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
        INDArray mean;
        INDArray var;
        if (mode == BnMode.TRAIN) {
            long n = x.length() / x.size(1);
            mean = x.mean(0, 2, 3);
            INDArray centered = NdOps.subChannels(x.dup(), mean);
            var = centered.mul(centered).mean(0, 2, 3);
            INDArray unbiased = var.mul((double) n / Math.max(1, n - 1));
            runningMean.muli(1 - MOMENTUM).addi(mean.mul(MOMENTUM));
            runningVar.muli(1 - MOMENTUM).addi(unbiased.muli(MOMENTUM));
            batchesTracked.assign(batchesTracked.getLong(0) + 1);
            invStd = Transforms.pow(var.add(eps), -0.5, false);
            xhat = NdOps.mulChannels(centered, invStd);
        } else {
            mean = runningMean;
            invStd = Transforms.pow(runningVar.add(eps), -0.5, false);
            xhat = NdOps.mulChannels(NdOps.subChannels(x.dup(), mean), invStd);
        }
        INDArray y = NdOps.mulChannels(xhat.dup(), weight.value());
        return NdOps.addChannels(y, bias.value());
    }

    INDArray backward(INDArray gradOut) {
        bias.grad().assign(NdOps.sumChannels(gradOut));
        weight.grad().assign(NdOps.sumChannels(gradOut.mul(xhat)));
        INDArray scale = weight.value().mul(invStd);
        INDArray gradIn;
        if (mode == BnMode.TRAIN) {
            // dx = gamma / sigma * (dy - mean(dy) - xhat * mean(dy * xhat)), means per channel
            long n = gradOut.length() / gradOut.size(1);
            INDArray meanDy = bias.grad().div(n);
            INDArray meanDyXhat = weight.grad().div(n);
            INDArray g = NdOps.subChannels(gradOut.dup(), meanDy);
            g.subi(NdOps.mulChannels(xhat.dup(), meanDyXhat));
            gradIn = NdOps.mulChannels(g, scale);
        } else {
            gradIn = NdOps.mulChannels(gradOut.dup(), scale);
        }
        xhat = null;
        return gradIn;
    }
}
