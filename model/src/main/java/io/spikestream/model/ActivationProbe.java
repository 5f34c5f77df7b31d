package io.spikestream.model;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Optional hook into {@link MsResNet#forward}: sees the stem output ({@code conv1}) and every
 * block output ({@code conv2_x.0}, ...) as they are computed, for checks against a reference
 * and for debugging. The forward pass itself is unchanged.
 */
@FunctionalInterface
public interface ActivationProbe {
    /**
     * @param name module name as in the official code ({@code conv1}, {@code convK_x.i})
     * @param value {@code [K, N, C, H, W]}; a view of a buffer that the next window reuses, so copy what you keep
     */
    void activation(String name, INDArray value);
}
