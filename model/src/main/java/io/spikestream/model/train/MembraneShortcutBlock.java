package io.spikestream.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MS-ResNet's block: the input and the output are membrane potentials and nothing spikes on
 * the sum, {@code out = [LIF, conv3x3/s, tdBN, LIF, conv3x3, tdBN](x) + shortcut(x)}. The
 * identity path therefore carries the gradient unchanged from block to block.
 */
final class MembraneShortcutBlock implements Block {
    private final Lif lif0;
    private final Conv conv1;
    private final TdBatchNorm bn2;
    private final Lif lif3;
    private final Conv conv4;
    private final TdBatchNorm bn5;
    private final Shortcut shortcut;

    MembraneShortcutBlock(ParameterStore store, String prefix, int in, int out, int stride,
            boolean avgpoolShortcut, LifParams lif, double eps) {
        String r = prefix + ".residual_function";
        this.lif0 = lif.newLayer();
        this.conv1 = new Conv(store, r + ".1", in, out, 3, stride, 1, false);
        this.bn2 = new TdBatchNorm(store, r + ".2.bn", out, eps);
        this.lif3 = lif.newLayer();
        this.conv4 = new Conv(store, r + ".4", out, out, 3, 1, 1, false);
        this.bn5 = new TdBatchNorm(store, r + ".5.bn", out, eps);
        this.shortcut = Shortcut.create(store, prefix + ".shortcut", in, out, stride, avgpoolShortcut, eps);
    }

    @Override
    public INDArray forward(INDArray x, int timesteps, BnMode mode) {
        INDArray h = bn2.forward(conv1.forward(lif0.forward(x, timesteps)), mode);
        INDArray r = bn5.forward(conv4.forward(lif3.forward(h, timesteps)), mode);
        return r.addi(shortcut.forward(x, mode));
    }

    @Override
    public INDArray backward(INDArray gradOut) {
        INDArray g = lif3.backward(conv4.backward(bn5.backward(gradOut)));
        INDArray gx = lif0.backward(conv1.backward(bn2.backward(g)));
        return gx.addi(shortcut.backward(gradOut));
    }

    @Override
    public TdBatchNorm lastResidualNorm() {
        return bn5;
    }
}
