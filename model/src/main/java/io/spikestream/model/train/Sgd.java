package io.spikestream.model.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * SGD with momentum as PyTorch defines it: {@code g' = g + wd·p} (coupled weight decay, only
 * on parameters that {@link Parameter#decays() decay}), {@code buf = μ·buf + g'} (first step:
 * {@code buf = g'}), {@code p -= lr·buf}.
 */
public final class Sgd implements Optimizer {
    private final double momentum;
    private final double weightDecay;
    private final Map<String, INDArray> buffers = new LinkedHashMap<>();

    public Sgd(double momentum, double weightDecay) {
        this.momentum = momentum;
        this.weightDecay = weightDecay;
    }

    @Override
    public void step(List<Parameter> parameters, double lr) {
        for (Parameter p : parameters) {
            INDArray g = p.grad().dup();
            if (weightDecay != 0 && p.decays()) {
                g.addi(p.value().mul(weightDecay));
            }
            INDArray buf = buffers.get(p.name());
            if (momentum != 0) {
                if (buf == null) {
                    buf = g.dup();
                    buffers.put(p.name(), buf);
                } else {
                    buf.muli(momentum).addi(g);
                }
                g = buf;
            }
            p.value().subi(g.mul(lr));
        }
    }

    @Override
    public Map<String, INDArray> state() {
        Map<String, INDArray> s = new LinkedHashMap<>();
        buffers.forEach((k, v) -> s.put("momentum." + k, v));
        return s;
    }

    @Override
    public void loadState(Map<String, INDArray> state, List<Parameter> parameters) {
        buffers.clear();
        for (Parameter p : parameters) {
            INDArray b = state.get("momentum." + p.name());
            if (b != null) {
                buffers.put(p.name(), b.castTo(p.value().dataType()).dup());
            }
        }
    }

    @Override
    public String name() {
        return "sgd";
    }
}
