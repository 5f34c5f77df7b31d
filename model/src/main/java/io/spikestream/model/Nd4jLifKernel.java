package io.spikestream.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * LIF with ND4J element-wise ops only (a few ops per timestep), for backends whose memory is not
 * on the host (CUDA): the state stays in device memory.
 */
final class Nd4jLifKernel implements LifKernel {
    private final double vTh;
    private final double decay;

    Nd4jLifKernel(double vTh, double decay) {
        this.vTh = vTh;
        this.decay = decay;
    }

    @Override
    public void run(INDArray input, int steps, int batch, INDArray[] u, INDArray[] s, INDArray spikes, long[] counts) {
        long m = input.length() / ((long) steps * batch);
        INDArray in = input.reshape('c', (long) steps * batch, m);
        INDArray out = spikes.reshape('c', (long) steps * batch, m);
        for (int n = 0; n < batch; n++) {
            INDArray un = u[n].reshape('c', 1, m);
            INDArray sn = s[n].reshape('c', 1, m);
            for (int k = 0; k < steps; k++) {
                int row = k * batch + n;
                // u = decay * u * (1 - s) + I ; s = u > v_th
                un.muli(sn.rsub(1.0)).muli(decay).addi(in.get(NDArrayIndex.interval(row, row + 1), NDArrayIndex.all()));
                sn.assign(un.gt(vTh).castTo(un.dataType()));
                out.get(NDArrayIndex.interval(row, row + 1), NDArrayIndex.all()).assign(sn);
            }
        }
        INDArray c = out.sum(1);
        for (int r = 0; r < counts.length && r < steps * batch; r++) {
            counts[r] = Math.round(c.getDouble(r));
        }
    }
}
