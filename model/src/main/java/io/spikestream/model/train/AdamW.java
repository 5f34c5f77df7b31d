package io.spikestream.model.train;

import io.spikestream.model.Parallel;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.lang.ref.Reference;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * AdamW (decoupled weight decay, as PyTorch): {@code p *= 1 - lr·wd} (decaying parameters
 * only), {@code m = β1·m + (1-β1)·g}, {@code v = β2·v + (1-β2)·g²},
 * {@code p -= lr · (m / (1-β1^t)) / (sqrt(v / (1-β2^t)) + ε)}.
 */
public final class AdamW implements Optimizer {
    /** Elements per bulk copy between the native buffers and the float32 update loop. */
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
            int n = value.length();
            int parts = Parallel.parts(n, (n + CHUNK - 1) / CHUNK);
            Parallel.run(parts, part -> {
                int lo = Parallel.start(n, part, parts);
                int hi = Parallel.start(n, part + 1, parts);
                if (value.isFloat()) {
                    updateFloats(value, grad, m, v, lo, hi, keep, stepSize, c2);
                } else {
                    updateDoubles(value, grad, m, v, lo, hi, keep, stepSize, c2);
                }
            });
            // the loops address native memory directly: keep its owners alive until they are done
            Reference.reachabilityFence(value);
            Reference.reachabilityFence(grad);
            Reference.reachabilityFence(m);
            Reference.reachabilityFence(v);
        }
    }

    /**
     * float32 parameters: float arithmetic in the order of PyTorch's single-tensor AdamW
     * ({@code m.mul_(β1).add_(g, 1-β1)}, {@code v.mul_(β2).addcmul_(g, g, 1-β2)},
     * {@code p.addcdiv_(m, sqrt(v)/sqrt(c2) + ε, -lr/c1)}), which the JIT can vectorise.
     */
    private void updateFloats(HostBuffer p, HostBuffer g, HostBuffer m, HostBuffer v, int lo, int hi,
            double keep, double stepSize, double c2) {
        float b1 = (float) beta1;
        float a1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float a2 = (float) (1 - beta2);
        float decayFactor = (float) keep;
        float step = (float) stepSize;
        float bc2 = (float) Math.sqrt(c2);
        float e = (float) eps;
        int chunk = Math.min(hi - lo, CHUNK);
        float[] pf = new float[chunk];
        float[] gf = new float[chunk];
        float[] mf = new float[chunk];
        float[] vf = new float[chunk];
        for (int c0 = lo; c0 < hi; c0 += CHUNK) {
            int len = Math.min(CHUNK, hi - c0);
            p.readFloats(c0, pf, len);
            g.readFloats(c0, gf, len);
            m.readFloats(c0, mf, len);
            v.readFloats(c0, vf, len);
            for (int i = 0; i < len; i++) {
                float gi = gf[i];
                float mi = mf[i] * b1 + a1 * gi;
                float vi = vf[i] * b2 + a2 * gi * gi;
                mf[i] = mi;
                vf[i] = vi;
                pf[i] = pf[i] * decayFactor - step * (mi / ((float) Math.sqrt(vi) / bc2 + e));
            }
            p.writeFloats(c0, pf, len);
            m.writeFloats(c0, mf, len);
            v.writeFloats(c0, vf, len);
        }
    }

    /** float64 parameters (gradient checks): the same update in double. */
    private void updateDoubles(HostBuffer p, HostBuffer g, HostBuffer m, HostBuffer v, int lo, int hi,
            double keep, double stepSize, double c2) {
        double bc2 = Math.sqrt(c2);
        for (int i = lo; i < hi; i++) {
            double gi = g.get(i);
            double mi = m.get(i) * beta1 + (1 - beta1) * gi;
            double vi = v.get(i) * beta2 + (1 - beta2) * gi * gi;
            m.set(i, mi);
            v.set(i, vi);
            p.set(i, p.get(i) * keep - stepSize * (mi / (Math.sqrt(vi) / bc2 + eps)));
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
