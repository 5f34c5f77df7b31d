package io.spikestream.model.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Every tensor of a trainable network under its PyTorch {@code state_dict} name: the
 * parameters (with gradients) and the buffers (tdBN running statistics and batch counters).
 * Together they are exactly what a model file stores.
 */
public final class ParameterStore {
    private final DataType dataType;
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, INDArray> buffers = new LinkedHashMap<>();

    public ParameterStore(DataType dataType) {
        this.dataType = dataType;
    }

    public DataType dataType() {
        return dataType;
    }

    Parameter parameter(String name, boolean decays, long... shape) {
        Parameter p = new Parameter(name, Nd4j.zeros(dataType, shape), decays);
        if (parameters.putIfAbsent(name, p) != null) {
            throw new IllegalStateException("duplicate parameter " + name);
        }
        return p;
    }

    INDArray buffer(String name, INDArray initial) {
        if (buffers.putIfAbsent(name, initial) != null) {
            throw new IllegalStateException("duplicate buffer " + name);
        }
        return initial;
    }

    /** Parameters in registration (forward) order. */
    public List<Parameter> parameters() {
        return List.copyOf(parameters.values());
    }

    public Parameter parameter(String name) {
        return parameters.get(name);
    }

    /** Running statistics and {@code num_batches_tracked} counters, by name. */
    public Map<String, INDArray> buffers() {
        return Collections.unmodifiableMap(buffers);
    }

    /** Parameters and buffers together, as a {@code state_dict}. */
    public Map<String, INDArray> stateDict() {
        Map<String, INDArray> all = new LinkedHashMap<>();
        parameters.forEach((k, p) -> all.put(k, p.value()));
        all.putAll(buffers);
        return all;
    }

    /**
     * Copies every tensor of {@code state} into the network (converting the data type).
     *
     * @throws IllegalArgumentException naming the first tensor that is missing or has
     *     another shape, or a tensor the network does not have
     */
    public void load(Map<String, INDArray> state) {
        Map<String, INDArray> target = stateDict();
        for (String name : state.keySet()) {
            if (!target.containsKey(name)) {
                throw new IllegalArgumentException("unexpected tensor '" + name + "' for this architecture");
            }
        }
        for (Map.Entry<String, INDArray> e : target.entrySet()) {
            INDArray src = state.get(e.getKey());
            if (src == null) {
                throw new IllegalArgumentException("missing tensor '" + e.getKey() + "'");
            }
            INDArray dst = e.getValue();
            if (src.length() != dst.length() || !(src.rank() == dst.rank()
                    && java.util.Arrays.equals(src.shape(), dst.shape()))) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' has shape "
                        + java.util.Arrays.toString(src.shape()) + ", expected "
                        + java.util.Arrays.toString(dst.shape()));
            }
            dst.assign(src.castTo(dst.dataType()));
        }
    }

    /** Sets every parameter gradient to zero. */
    public void zeroGrad() {
        for (Parameter p : parameters.values()) {
            p.grad().assign(0);
        }
    }
}
