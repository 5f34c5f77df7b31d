package io.spikestream.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A 2-D convolution applied to every timestep frame independently ({@code TdConv2d}): the
 * activations are {@code [T*N, C, H, W]}, time-major, so one conv call covers all frames.
 */
final class Conv {
    private final Parameter weight;
    private final Parameter bias;
    private final int stride;
    private final int pad;
    private INDArray input;
    private INDArray output;
    private INDArray gradIn;

    Conv(ParameterStore store, String prefix, int in, int out, int kernel, int stride, int pad, boolean withBias) {
        this.weight = store.parameter(prefix + ".weight", true, out, in, kernel, kernel);
        this.bias = withBias ? store.parameter(prefix + ".bias", false, out) : null;
        this.stride = stride;
        this.pad = pad;
    }

    Parameter weight() {
        return weight;
    }

    Parameter bias() {
        return bias;
    }

    INDArray forward(INDArray x) {
        input = x;
        output = NdOps.conv2d(x, weight.value(), bias == null ? null : bias.value(), stride, pad, output);
        return output;
    }

    INDArray backward(INDArray gradOut) {
        gradIn = NdOps.conv2dBackward(input, weight.value(), bias == null ? null : bias.value(),
                gradOut, stride, pad, weight.grad(), bias == null ? null : bias.grad(), gradIn);
        input = null;
        return gradIn;
    }
}
