package io.spikestream.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One trainable tensor under its PyTorch {@code state_dict} name, with the gradient of the
 * last backward pass next to it. Weight decay applies only to conv and fc weights
 * ({@link #decays()}), not to biases or BN affine parameters, which decay would pull towards
 * zero and so silence whole channels of spiking neurons.
 */
public final class Parameter {
    private final String name;
    private final INDArray value;
    private final INDArray grad;
    private final boolean decays;

    Parameter(String name, INDArray value, boolean decays) {
        this.name = name;
        this.value = value;
        this.grad = value.ulike();
        this.grad.assign(0);
        this.decays = decays;
    }

    public String name() {
        return name;
    }

    /** The live tensor the network computes with; optimizers update it in place. */
    public INDArray value() {
        return value;
    }

    /** d loss / d value from the last backward pass. */
    public INDArray grad() {
        return grad;
    }

    public boolean decays() {
        return decays;
    }
}
