package io.spikestream.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The shortcut path of a block: identity, or (when the block changes stride or width)
 * {@code conv1x1 → tdBN} ("conv") or {@code avgpool 2x2 → conv1x1 → tdBN} ("avgpool"),
 * named as in PyTorch ({@code shortcut.0}, {@code shortcut.1}, ...).
 */
final class Shortcut {
    private final AvgPool2 pool;
    private final Conv conv;
    private final TdBatchNorm bn;

    private Shortcut(AvgPool2 pool, Conv conv, TdBatchNorm bn) {
        this.pool = pool;
        this.conv = conv;
        this.bn = bn;
    }

    static Shortcut create(ParameterStore store, String prefix, int in, int out, int stride,
            boolean avgpool, double eps) {
        if (stride == 1 && in == out) {
            return new Shortcut(null, null, null);
        }
        if (avgpool && stride == 2) {
            return new Shortcut(new AvgPool2(),
                    new Conv(store, prefix + ".1", in, out, 1, 1, 0, false),
                    new TdBatchNorm(store, prefix + ".2.bn", out, eps));
        }
        if (avgpool && stride != 1) {
            throw new IllegalArgumentException("avgpool shortcut supports stride 2 only, got " + stride);
        }
        return new Shortcut(null,
                new Conv(store, prefix + (avgpool ? ".1" : ".0"), in, out, 1, stride, 0, false),
                new TdBatchNorm(store, prefix + (avgpool ? ".2.bn" : ".1.bn"), out, eps));
    }

    boolean isIdentity() {
        return conv == null;
    }

    INDArray forward(INDArray x, BnMode mode) {
        if (conv == null) {
            return x;
        }
        INDArray y = pool == null ? x : pool.forward(x);
        return bn.forward(conv.forward(y), mode);
    }

    INDArray backward(INDArray gradOut) {
        if (conv == null) {
            return gradOut;
        }
        INDArray g = conv.backward(bn.backward(gradOut));
        return pool == null ? g : pool.backward(g);
    }
}
