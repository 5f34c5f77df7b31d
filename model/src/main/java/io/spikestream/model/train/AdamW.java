package io.spikestream.model.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * AdamW (decoupled weight decay, as PyTorch): {@code p *= 1 - lr·wd} (decaying parameters
 * only), {@code m = β1·m + (1-β1)·g}, {@code v = β2·v + (1-β2)·g²},
 * {@code p -= lr · (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + ε)}.
 */
public final class AdamW implements Optimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final Map<String, INDArray> first = new LinkedHashMap<>();
    private final Map<String, INDArray> second = new LinkedHashMap<>();
    private long steps;

    public AdamW(double beta1, double beta2, double eps, double weightDecay) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
    }

    /** PyTorch's defaults: β = (0.9, 0.999), ε = 1e-8. */
    public static AdamW withWeightDecay(double weightDecay) {
        return new AdamW(0.9, 0.999, 1e-8, weightDecay);
    }

    @Override
    public void step(List<Parameter> parameters, double lr) {
        steps++;
        double c1 = 1 - Math.pow(beta1, steps);
        double c2 = 1 - Math.pow(beta2, steps);
        for (Parameter p : parameters) {
            INDArray g = p.grad();
            if (weightDecay != 0 && p.decays()) {
                p.value().muli(1 - lr * weightDecay);
            }
            INDArray m = first.computeIfAbsent(p.name(), k -> g.ulike().assign(0));
            INDArray v = second.computeIfAbsent(p.name(), k -> g.ulike().assign(0));
            m.muli(beta1).addi(g.mul(1 - beta1));
            v.muli(beta2).addi(g.mul(g).muli(1 - beta2));
            INDArray denom = Transforms.sqrt(v.div(c2), false).addi(eps);
            p.value().subi(m.div(denom).muli(lr / c1));
        }
    }

    @Override
    public Map<String, INDArray> state() {
        Map<String, INDArray> s = new LinkedHashMap<>();
        first.forEach((k, v) -> s.put("exp_avg." + k, v));
        second.forEach((k, v) -> s.put("exp_avg_sq." + k, v));
        s.put("step", Nd4j.scalar(DataType.LONG, steps));
        return s;
    }

    @Override
    public void loadState(Map<String, INDArray> state, List<Parameter> parameters) {
        first.clear();
        second.clear();
        INDArray step = state.get("step");
        if (step == null) {
            throw new IllegalArgumentException("AdamW state has no step counter");
        }
        steps = step.getLong(0);
        for (Parameter p : parameters) {
            INDArray m = state.get("exp_avg." + p.name());
            INDArray v = state.get("exp_avg_sq." + p.name());
            if (m != null && v != null) {
                first.put(p.name(), m.castTo(p.value().dataType()).dup());
                second.put(p.name(), v.castTo(p.value().dataType()).dup());
            }
        }
    }

    @Override
    public String name() {
        return "adamw";
    }
}
