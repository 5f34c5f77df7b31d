package io.spikestream.model.train;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Updates parameters in place from their gradients. Its state (momentum buffers, moments,
 * step counter) is exposed as named tensors so checkpoints can store and restore it exactly.
 */
public interface Optimizer {
    /** One update of every parameter with learning rate {@code lr}. */
    void step(List<Parameter> parameters, double lr);

    /** The optimizer's state as named tensors (live arrays; copied by the checkpoint writer). */
    Map<String, INDArray> state();

    /** Restores {@link #state()} as written; missing entries are an error. */
    void loadState(Map<String, INDArray> state, List<Parameter> parameters);

    /** The name a checkpoint records ({@code sgd} or {@code adamw}). */
    String name();
}
