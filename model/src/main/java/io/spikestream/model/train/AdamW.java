package io.spikestream.model.train;

import io.spikestream.model.Parallel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * AdamW (decoupled weight decay, as PyTorch): {@code p *= 1 - lr·wd} (decaying parameters
 * only), {@code m = β1·m + (1-β1)·g}, {@code v = β2·v + (1-β2)·g²},
 * {@code p -= lr · (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + ε)}.
 */
public final class AdamW implements Optimizer {
    /** Elements per bulk copy between the native buffers and the update loop. */
    private static final int CHUNK = 4096;
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
        double stepSize = lr / c1;
        for (Parameter p : parameters) {
            INDArray g = p.grad();
            double keep = weightDecay != 0 && p.decays() ? 1 - lr * weightDecay : 1;
            // one pass per tensor in Java: as a dozen ND4J calls with temporaries it cost 3x PyTorch's step
            HostBuffer value = HostBuffer.writable(p.value());
            HostBuffer grad = HostBuffer.of(g);
            HostBuffer m = HostBuffer.writable(first.computeIfAbsent(p.name(), k -> g.ulike().assign(0)));
            HostBuffer v = HostBuffer.writable(second.computeIfAbsent(p.name(), k -> g.ulike().assign(0)));
            boolean f32 = value.isFloat();
            int n = value.length();
            int parts = Parallel.parts(n, (n + CHUNK - 1) / CHUNK);
            Parallel.run(parts, part -> {
                int lo = Parallel.start(n, part, parts);
                int hi = Parallel.start(n, part + 1, parts);
                HostBuffer pb = value.view();
                HostBuffer gb = grad.view();
                HostBuffer mb = m.view();
                HostBuffer vb = v.view();
                int chunk = Math.min(hi - lo, CHUNK);
                double[] pv = new double[chunk];
                double[] gv = new double[chunk];
                double[] mv = new double[chunk];
                double[] vv = new double[chunk];
                for (int c0 = lo; c0 < hi; c0 += CHUNK) {
                    int len = Math.min(CHUNK, hi - c0);
                    pb.read(c0, pv, len);
                    gb.read(c0, gv, len);
                    mb.read(c0, mv, len);
                    vb.read(c0, vv, len);
                    for (int i = 0; i < len; i++) {
                        double gi = gv[i];
                        double mi = beta1 * mv[i] + (1 - beta1) * gi;
                        double vi = beta2 * vv[i] + (1 - beta2) * gi * gi;
                        if (f32) {
                            mi = (float) mi;
                            vi = (float) vi;
                        }
                        mv[i] = mi;
                        vv[i] = vi;
                        pv[i] = pv[i] * keep - stepSize * mi / (Math.sqrt(vi / c2) + eps);
                    }
                    pb.write(c0, pv, len);
                    mb.write(c0, mv, len);
                    vb.write(c0, vv, len);
                }
            });
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
