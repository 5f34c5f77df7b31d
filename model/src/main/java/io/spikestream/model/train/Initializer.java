package io.spikestream.model.train;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The MS-ResNet paper's initialisation, deterministic for a seed: convolutions Kaiming normal
 * (std {@code sqrt(2 / fan_in)}), tdBN {@code γ = v_th}, {@code β = 0}, and {@code γ = 0} for
 * the BN closing each residual branch, so that every block starts as its shortcut; conv biases
 * and the fc layer as PyTorch's default {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}. Values are
 * drawn in double precision with a {@link SplittableRandom} in parameter order and then
 * converted, so float32 and float64 networks start from the same (rounded) weights.
 */
public final class Initializer {
    private Initializer() {}

    /** The paper's initialisation. */
    public static void paper(SpikingResNet net, long seed) {
        init(net, seed, true);
    }

    /**
     * Like {@link #paper} but with {@code γ = v_th} also on the last BN of each residual
     * branch, so that the residual branches are active at initialisation.
     */
    public static void activeResiduals(SpikingResNet net, long seed) {
        init(net, seed, false);
    }

    private static void init(SpikingResNet net, long seed, boolean zeroLastNorm) {
        SplittableRandom rng = new SplittableRandom(seed);
        double vTh = net.card().lif().vTh();
        for (Parameter p : net.parameters().parameters()) {
            INDArray v = p.value();
            String name = p.name();
            double[] values = new double[(int) v.length()];
            if (name.endsWith(".bn.weight")) {
                java.util.Arrays.fill(values, vTh);
            } else if (name.endsWith(".bn.bias")) {
                // zeros
            } else if (v.rank() == 4) {
                double std = Math.sqrt(2.0 / (v.size(1) * v.size(2) * v.size(3)));
                for (int i = 0; i < values.length; i++) {
                    values[i] = rng.nextGaussian() * std;
                }
            } else {
                long fanIn = name.startsWith("fc.") ? net.card().featureChannels() : fanInOfConvBias(net, name);
                double bound = 1.0 / Math.sqrt(fanIn);
                for (int i = 0; i < values.length; i++) {
                    values[i] = rng.nextDouble(-bound, bound);
                }
            }
            v.assign(Nd4j.create(values, v.shape(), org.nd4j.linalg.api.buffer.DataType.DOUBLE).castTo(v.dataType()));
        }
        if (zeroLastNorm) {
            for (TdBatchNorm bn : net.lastResidualNorms()) {
                bn.weight().value().assign(0);
            }
        }
    }

    private static long fanInOfConvBias(SpikingResNet net, String biasName) {
        String weightName = biasName.substring(0, biasName.length() - "bias".length()) + "weight";
        INDArray w = net.parameters().parameter(weightName).value();
        return w.size(1) * w.size(2) * w.size(3);
    }
}
