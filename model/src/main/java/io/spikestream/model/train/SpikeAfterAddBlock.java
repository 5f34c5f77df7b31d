package io.spikestream.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The vanilla spiking ResNet block MS-ResNet is compared against: spikes in, spikes out, the
 * LIF fires on the sum, {@code out = LIF([conv3x3/s, tdBN, LIF, conv3x3, tdBN](x) + shortcut(x))}.
 * Every block's gradient has to pass a surrogate window, which is why it shrinks with depth.
 * Used for the gradient-norm comparison only.
 */
final class SpikeAfterAddBlock implements Block {
    private final Conv conv1;
    private final TdBatchNorm bn2;
    private final Lif lif3;
    private final Conv conv4;
    private final TdBatchNorm bn5;
    private final Shortcut shortcut;
    private final Lif lifOut;

    SpikeAfterAddBlock(ParameterStore store, String prefix, int in, int out, int stride,
            boolean avgpoolShortcut, LifParams lif, double eps) {
        String r = prefix + ".residual_function";
        this.conv1 = new Conv(store, r + ".1", in, out, 3, stride, 1, false);
        this.bn2 = new TdBatchNorm(store, r + ".2.bn", out, eps);
        this.lif3 = lif.newLayer();
        this.conv4 = new Conv(store, r + ".4", out, out, 3, 1, 1, false);
        this.bn5 = new TdBatchNorm(store, r + ".5.bn", out, eps);
        this.shortcut = Shortcut.create(store, prefix + ".shortcut", in, out, stride, avgpoolShortcut, eps);
        this.lifOut = lif.newLayer();
    }

    @Override
    public INDArray forward(INDArray x, int timesteps, BnMode mode) {
        INDArray h = bn2.forward(conv1.forward(x), mode);
        INDArray r = bn5.forward(conv4.forward(lif3.forward(h, timesteps)), mode);
        return lifOut.forward(r.addi(shortcut.forward(x, mode)), timesteps);
    }

    @Override
    public INDArray backward(INDArray gradOut) {
        INDArray gSum = lifOut.backward(gradOut);
        INDArray g = lif3.backward(conv4.backward(bn5.backward(gSum)));
        INDArray gx = conv1.backward(bn2.backward(g));
        return gx.addi(shortcut.backward(gSum));
    }

    @Override
    public TdBatchNorm lastResidualNorm() {
        return bn5;
    }
}
