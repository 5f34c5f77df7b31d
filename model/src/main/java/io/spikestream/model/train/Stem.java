package io.spikestream.model.train;

import io.spikestream.model.ModelCard;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The stem {@code conv1}: {@code conv7} = conv 7x7/2 (no bias) → tdBN, or {@code conv3x3x3}
 * = three 3x3 convs with bias (the first with stride 2, no nonlinearity between them) → tdBN.
 * No LIF: its output is the first block's input membrane.
 */
final class Stem {
    private final List<Conv> convs;
    private final TdBatchNorm bn;

    Stem(ParameterStore store, ModelCard.StemType type, int in, int channels, double eps) {
        if (type == ModelCard.StemType.CONV7) {
            convs = List.of(new Conv(store, "conv1.0", in, channels, 7, 2, 3, false));
            bn = new TdBatchNorm(store, "conv1.1.bn", channels, eps);
        } else {
            convs = List.of(
                    new Conv(store, "conv1.0", in, channels, 3, 2, 1, true),
                    new Conv(store, "conv1.1", channels, channels, 3, 1, 1, true),
                    new Conv(store, "conv1.2", channels, channels, 3, 1, 1, true));
            bn = new TdBatchNorm(store, "conv1.3.bn", channels, eps);
        }
    }

    List<Conv> convs() {
        return convs;
    }

    TdBatchNorm norm() {
        return bn;
    }

    INDArray forward(INDArray x, BnMode mode) {
        INDArray h = x;
        for (Conv c : convs) {
            h = c.forward(h);
        }
        return bn.forward(h, mode);
    }

    INDArray backward(INDArray gradOut) {
        INDArray g = bn.backward(gradOut);
        for (int i = convs.size() - 1; i >= 0; i--) {
            g = convs.get(i).backward(g);
        }
        return g;
    }
}
