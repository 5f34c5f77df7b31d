package io.spikestream.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The parameters and BN buffers of an MS-ResNet by official state_dict name, as float64 ND4J
 * arrays (float64 holds F32, F16 and BF16 weights exactly, so nothing is lost before a model
 * chooses its precision). The map is shared, not copied: callers that train may update the
 * arrays in place.
 */
public final class ModelWeights {
    private final Map<String, INDArray> tensors;

    private ModelWeights(Map<String, INDArray> tensors) {
        this.tensors = tensors;
    }

    /** Wraps {@code tensors} (names without a {@code module.} prefix). */
    public static ModelWeights of(Map<String, INDArray> tensors) {
        return new ModelWeights(Collections.unmodifiableMap(new LinkedHashMap<>(tensors)));
    }

    /** The tensor {@code name}; an {@link IllegalArgumentException} naming it when absent. */
    public INDArray get(String name) {
        INDArray t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no weight tensor named \"" + name + "\"");
        }
        return t;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** All tensors by name (read-only map, in insertion order). */
    public Map<String, INDArray> asMap() {
        return tensors;
    }

    /**
     * Fresh weights for {@code card}: Kaiming-normal convolutions (std sqrt(2 / fan_in)), BN with
     * weight 1, bias 0, running mean 0 and variance 1, fc weight N(0, 1/fan_in), fc bias 0.
     * Deterministic for a seed; used by speed benchmarks and as a starting point for training.
     */
    public static ModelWeights random(ModelCard card, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : StateDict.expectedShapes(card).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            double[] v = new double[n];
            if (name.endsWith(StateDict.NUM_BATCHES_TRACKED)) {
                m.put(name, Nd4j.scalar(DataType.LONG, 0L));
                continue;
            }
            if (shape.length == 4 || name.equals("fc.weight")) {
                long fanIn = shape.length == 4 ? shape[1] * shape[2] * shape[3] : shape[1];
                double std = Math.sqrt((shape.length == 4 ? 2.0 : 1.0) / fanIn);
                for (int i = 0; i < n; i++) {
                    // round to float so F32 and F64 copies of these weights are identical
                    v[i] = (float) (rnd.nextGaussian() * std);
                }
            } else if (name.endsWith(".bn.weight") || name.endsWith(".bn.running_var")) {
                Arrays.fill(v, 1.0);
            }
            m.put(name, Nd4j.create(v, shape, DataType.DOUBLE));
        }
        return of(m);
    }
}
