package io.spikestream.model.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Leaky integrate-and-fire over the T timesteps of one call, with backpropagation through
 * time: {@code u[t] = decay * u[t-1] * (1 - s[t-1]) + I[t]}, {@code s[t] = u[t] > v_th},
 * from zero state. Backward uses the rectangular surrogate
 * {@code ds/du = 1/(2 lens)} on {@code |u - v_th| < lens}, and treats the reset factor
 * {@code (1 - s[t-1])} as a constant (detached), so the gradient reaches {@code u[t-1]} only
 * through {@code decay * (1 - s[t-1])}.
 */
final class Lif {
    private final double vTh;
    private final double decay;
    private final double lens;

    private long[] shape;
    private int steps;
    private INDArray spikes;
    private INDArray surrogate;

    Lif(double vTh, double decay, double lens) {
        this.vTh = vTh;
        this.decay = decay;
        this.lens = lens;
    }

    /** {@code input [T*N, ...]} (time-major) to spikes of the same shape. */
    INDArray forward(INDArray input, int timesteps) {
        shape = input.shape();
        steps = timesteps;
        DataType dt = input.dataType();
        long m = input.length() / timesteps;
        INDArray in = input.reshape('c', timesteps, m);
        spikes = Nd4j.create(dt, timesteps, m);
        surrogate = Nd4j.create(dt, timesteps, m);
        INDArray u = Nd4j.zeros(dt, m);
        for (int t = 0; t < timesteps; t++) {
            if (t > 0) {
                u.muli(decay).muli(spikes.getRow(t - 1).rsub(1.0));
            }
            u.addi(in.getRow(t));
            spikes.getRow(t).assign(u.gt(vTh).castTo(dt));
            surrogate.getRow(t).assign(Transforms.abs(u.sub(vTh), false).lt(lens).castTo(dt).muli(1.0 / (2 * lens)));
        }
        return spikes.reshape('c', shape);
    }

    /** Gradient w.r.t. the spikes to the gradient w.r.t. the input current. */
    INDArray backward(INDArray gradSpikes) {
        long m = gradSpikes.length() / steps;
        INDArray g = gradSpikes.reshape('c', steps, m);
        INDArray gradIn = Nd4j.create(gradSpikes.dataType(), steps, m);
        INDArray carry = null;
        for (int t = steps - 1; t >= 0; t--) {
            INDArray du = g.getRow(t).mul(surrogate.getRow(t));
            if (carry != null) {
                du.addi(carry);
            }
            gradIn.getRow(t).assign(du);
            if (t > 0) {
                // d u[t] / d u[t-1] = decay * (1 - s[t-1]), the reset factor held constant
                carry = du.muli(spikes.getRow(t - 1).rsub(1.0)).muli(decay);
            }
        }
        spikes = null;
        surrogate = null;
        return gradIn.reshape('c', shape);
    }
}
