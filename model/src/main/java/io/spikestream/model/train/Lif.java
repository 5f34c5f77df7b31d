package io.spikestream.model.train;

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
 * <p>The recurrence runs as a plain Java loop: per timestep it is a handful of elementwise
 * operations, which as separate ND4J calls cost more in call overhead than in arithmetic.
 * Values are held in double; for a float32 network every sum is rounded to float, which gives
 * exactly float32 arithmetic ({@code decay * u * (1 - s)} is exact, decay being a power of two
 * and {@code 1 - s} 0 or 1, and a double sum of two floats rounds to the float sum).
 */
final class Lif {
    private final double vTh;
    private final double decay;
    private final double lens;

    private long[] shape;
    private int steps;
    private DataType type;
    private boolean[] spikes;
    private boolean[] inWindow;

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
        boolean f32 = type == DataType.FLOAT;
        double[] in = HostArrays.read(input);
        int m = in.length / timesteps;
        spikes = new boolean[in.length];
        inWindow = new boolean[in.length];
        double[] out = new double[in.length];
        double[] u = new double[m];
        for (int t = 0; t < timesteps; t++) {
            int base = t * m;
            for (int i = 0; i < m; i++) {
                double v = (t > 0 && spikes[base - m + i]) ? 0.0 : decay * u[i];
                v += in[base + i];
                if (f32) {
                    v = (float) v;
                }
                u[i] = v;
                boolean s = v > vTh;
                spikes[base + i] = s;
                out[base + i] = s ? 1.0 : 0.0;
                inWindow[base + i] = Math.abs(v - vTh) < lens;
            }
        }
        return HostArrays.write(out, shape, type);
    }

    /** Gradient w.r.t. the spikes to the gradient w.r.t. the input current. */
    INDArray backward(INDArray gradSpikes) {
        boolean f32 = type == DataType.FLOAT;
        double[] g = HostArrays.read(gradSpikes);
        int m = g.length / steps;
        double[] gradIn = new double[g.length];
        double[] carry = new double[m];
        double factor = 1.0 / (2 * lens);
        for (int t = steps - 1; t >= 0; t--) {
            int base = t * m;
            for (int i = 0; i < m; i++) {
                double du = inWindow[base + i] ? g[base + i] * factor : 0.0;
                if (f32) {
                    du = (float) du;
                }
                du += carry[i];
                if (f32) {
                    du = (float) du;
                }
                gradIn[base + i] = du;
                // d u[t] / d u[t-1] = decay * (1 - s[t-1]), the reset factor held constant
                carry[i] = (t > 0 && !spikes[base - m + i]) ? du * decay : 0.0;
            }
        }
        spikes = null;
        inWindow = null;
        return HostArrays.write(gradIn, shape, type);
    }
}
