package io.spikestream.model.train;

import io.spikestream.model.Parallel;
import java.lang.ref.Reference;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Leaky integrate-and-fire over the T timesteps of one call, with backpropagation through
 * time: {@code u[t] = decay * u[t-1] * (1 - s[t-1]) + I[t]}, {@code s[t] = u[t] > v_th},
 * from zero state. Backward uses the rectangular surrogate
 * {@code ds/du = 1/(2 lens)} on {@code |u - v_th| < lens}, and treats the reset factor
 * {@code (1 - s[t-1])} as a constant (detached), so the gradient reaches {@code u[t-1]} only
 * through {@code decay * (1 - s[t-1])}.
 *
 * <p>The recurrence runs as a plain Java loop over the arrays' native memory ({@link HostBuffer}): per timestep it is a
 * handful of elementwise operations, which as separate ND4J calls cost more in call overhead than
 * in arithmetic. Values are held in double; for a float32 network every sum is rounded to float,
 * which gives exactly float32 arithmetic ({@code decay * u * (1 - s)} is exact, decay being a
 * power of two and {@code 1 - s} 0 or 1, and a double sum of two floats rounds to the float sum).
 * Backward needs one byte per neuron and timestep: whether it spiked and whether its membrane was
 * inside the surrogate's window.
 */
final class Lif {
    private static final byte SPIKED = 1;
    private static final byte IN_WINDOW = 2;
    /** Neurons per part below which splitting the loop over cores is not worth it. */
    private static final int MIN_PART = 4096;

    private final double vTh;
    private final double decay;
    private final double lens;

    private long[] shape;
    private int steps;
    private DataType type;
    private byte[] flags;
    private INDArray spikesOut;
    private INDArray gradIn;

    Lif(double vTh, double decay, double lens) {
        this.vTh = vTh;
        this.decay = decay;
        this.lens = lens;
    }

    /** {@code input [T*N, ...]} (time-major) to spikes of the same shape. */
    INDArray forward(INDArray input, int timesteps) {
        shape = input.shape();
        steps = timesteps;
        type = input.dataType();
        HostBuffer in = HostBuffer.of(input);
        spikesOut = HostBuffer.reuse(spikesOut, in.array().dataType(), shape);
        HostBuffer out = HostBuffer.writable(spikesOut);
        boolean f32 = in.isFloat();
        int n = in.length();
        int m = n / timesteps;
        // reused across steps: the shapes of a layer do not change between batches of one size
        flags = flags != null && flags.length == n ? flags : new byte[n];
        double[] u = new double[m];
        // decay * (1 - s[t-1]) per neuron: the reset as a factor, so the loop has no data-dependent branch
        double[] keep = new double[m];
        byte[] fl = flags;
        // neurons are independent: each part runs the whole recurrence over its own range of them
        int parts = Parallel.parts(n, (m + MIN_PART - 1) / MIN_PART);
        Parallel.run(parts, part -> {
            int lo = Parallel.start(m, part, parts);
            int hi = Parallel.start(m, part + 1, parts);
            for (int t = 0; t < timesteps; t++) {
                int base = t * m;
                for (int i = lo; i < hi; i++) {
                    double v = u[i] * keep[i] + in.get(base + i);
                    if (f32) {
                        v = (float) v;
                    }
                    u[i] = v;
                    int s = negative(vTh - v);
                    fl[base + i] = (byte) (s | negative(Math.abs(v - vTh) - lens) << 1);
                    keep[i] = decay * (1 - s);
                    out.set(base + i, s);
                }
            }
        });
        // the loops address native memory directly: keep its owners alive until they are done
        Reference.reachabilityFence(in);
        Reference.reachabilityFence(out);
        return HostBuffer.as(out.array(), type);
    }

    /** Gradient w.r.t. the spikes to the gradient w.r.t. the input current. */
    INDArray backward(INDArray gradSpikes) {
        HostBuffer g = HostBuffer.of(gradSpikes);
        gradIn = HostBuffer.reuse(gradIn, g.array().dataType(), shape);
        HostBuffer dIn = HostBuffer.writable(gradIn);
        boolean f32 = g.isFloat();
        int m = g.length() / steps;
        double[] carry = new double[m];
        double factor = 1.0 / (2 * lens);
        byte[] fl = flags;
        int parts = Parallel.parts(g.length(), (m + MIN_PART - 1) / MIN_PART);
        Parallel.run(parts, part -> {
            int lo = Parallel.start(m, part, parts);
            int hi = Parallel.start(m, part + 1, parts);
            for (int t = steps - 1; t >= 0; t--) {
                int base = t * m;
                for (int i = lo; i < hi; i++) {
                    double du = g.get(base + i) * factor * (fl[base + i] >> 1);
                    if (f32) {
                        du = (float) du;
                    }
                    du += carry[i];
                    if (f32) {
                        du = (float) du;
                    }
                    dIn.set(base + i, du);
                    // d u[t] / d u[t-1] = decay * (1 - s[t-1]), the reset factor held constant
                    carry[i] = t > 0 ? du * decay * (1 - (fl[base - m + i] & SPIKED)) : 0;
                }
            }
        });
        Reference.reachabilityFence(g);
        Reference.reachabilityFence(dIn);
        return HostBuffer.as(gradIn, type);
    }

    /**
     * 1 if {@code d < 0}, else 0: a comparison without a branch to mispredict (spikes are
     * irregular by nature). Reads the sign bit, which is right for the differences it is given:
     * {@code a - b} of finite {@code a} and positive {@code b} is never -0.0.
     */
    private static int negative(double d) {
        return (int) (Double.doubleToRawLongBits(d) >>> 63);
    }
}
