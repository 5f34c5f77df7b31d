package io.spikestream.model.train;

import io.spikestream.model.ModelCard;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The MS-ResNet paper's gradient-norm experiment: at initialisation, the L2 norm of
 * d loss / d (input of each block) for one training step (tdBN in training mode) on random
 * sparse event frames with random labels. In MS-ResNet the identity path carries the
 * gradient through every block unchanged, so the block-to-block ratios stay near 1; in the
 * vanilla spiking ResNet every block's gradient passes a surrogate window and shrinks.
 */
public final class GradientNorms {
    private GradientNorms() {}

    /** Norms per block, in forward order, and the block names. */
    public record Profile(SpikingResNet.Variant variant, List<String> blocks, double[] norms) {
        /** {@code norms[i] / norms[i + 1]}: how the gradient changes from block i+1 back to block i. */
        public double[] ratios() {
            double[] r = new double[norms.length - 1];
            for (int i = 0; i < r.length; i++) {
                r[i] = norms[i + 1] == 0 ? Double.POSITIVE_INFINITY : norms[i] / norms[i + 1];
            }
            return r;
        }
    }

    /**
     * Measures {@code variant} of {@code card} on {@code batch} samples of {@code timesteps}
     * frames of {@code size x size}; {@code zeroInitResiduals} selects the paper's γ = 0 for
     * the last BN of each residual branch (else γ = v_th there too, branches active).
     */
    public static Profile measure(ModelCard card, SpikingResNet.Variant variant, int timesteps, int batch,
            int size, long seed, boolean zeroInitResiduals) {
        SpikingResNet net = new SpikingResNet(card, variant, DataType.DOUBLE);
        if (zeroInitResiduals) {
            Initializer.paper(net, seed);
        } else {
            Initializer.activeResiduals(net, seed);
        }
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        double[] frames = new double[timesteps * batch * card.inChannels() * size * size];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = rng.nextDouble() < 0.1 ? 1 + rng.nextInt(3) : 0;
        }
        int[] labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = rng.nextInt(card.numClasses());
        }
        INDArray input = Nd4j.create(frames, new long[] {timesteps, batch, card.inChannels(), size, size}, DataType.DOUBLE);
        INDArray logits = net.forward(input, BnMode.TRAIN);
        net.backward(new SoftmaxCrossEntropy(0).evaluate(logits, labels).gradLogits());
        return new Profile(variant, net.blockNames(), net.blockInputGradNorms());
    }
}
