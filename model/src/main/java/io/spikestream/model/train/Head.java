package io.spikestream.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Classifier head: an optional LIF ({@code mem_update}, when the last block emits membrane
 * potentials), the spatial mean of the spikes, the mean over the T timesteps of the call, and
 * the fully connected layer {@code fc}.
 */
final class Head {
    private final Lif lif;
    private final Parameter weight;
    private final Parameter bias;
    private long[] spikeShape;
    private int steps;
    private INDArray feature;

    Head(ParameterStore store, Lif lif, int channels, int classes) {
        this.lif = lif;
        this.weight = store.parameter("fc.weight", true, classes, channels);
        this.bias = store.parameter("fc.bias", false, classes);
    }

    Parameter weight() {
        return weight;
    }

    Parameter bias() {
        return bias;
    }

    /** {@code x [T*N, C, h, w]} to logits {@code [N, K]}. */
    INDArray forward(INDArray x, int timesteps) {
        INDArray spikes = lif == null ? x : lif.forward(x, timesteps);
        spikeShape = spikes.shape();
        steps = timesteps;
        long n = spikeShape[0] / timesteps;
        long c = spikeShape[1];
        INDArray pooled = spikes.mean(2, 3).reshape('c', timesteps, n, c);
        feature = pooled.sum(0).divi(timesteps);
        return feature.mmul(weight.value().transpose()).addiRowVector(bias.value());
    }

    /** Gradient w.r.t. the logits to the gradient w.r.t. the head input. */
    INDArray backward(INDArray gradLogits) {
        weight.grad().assign(gradLogits.transpose().mmul(feature));
        bias.grad().assign(gradLogits.sum(0));
        INDArray gFeat = gradLogits.mmul(weight.value());
        long hw = spikeShape[2] * spikeShape[3];
        INDArray gPooled = gFeat.div((double) steps * hw);
        long n = gFeat.size(0);
        long c = gFeat.size(1);
        INDArray g = gPooled.reshape('c', 1, n, c, 1).broadcast(steps, n, c, hw).dup('c')
                .reshape('c', spikeShape);
        feature = null;
        return lif == null ? g : lif.backward(g);
    }
}
