package io.spikestream.model;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LIF over the host memory of CPU-backend arrays: one pass per sample and timestep over
 * contiguous elements, counting spikes on the way. About one nanosecond per neuron update,
 * against several microseconds of call overhead per ND4J op that a per-timestep op chain costs.
 * Requires C-ordered arrays whose memory is on the host (ND4J's CPU backend).
 */
final class HostLifKernel implements LifKernel {
    private final double vTh;
    private final double decay;

    HostLifKernel(double vTh, double decay) {
        this.vTh = vTh;
        this.decay = decay;
    }

    @Override
    public void run(INDArray input, int steps, int batch, INDArray[] u, INDArray[] s, INDArray spikes, long[] counts) {
        int m = (int) (input.length() / ((long) steps * batch));
        if (input.dataType() == DataType.FLOAT) {
            runFloat(input, steps, batch, m, u, s, spikes, counts);
        } else {
            runDouble(input, steps, batch, m, u, s, spikes, counts);
        }
    }

    private void runFloat(INDArray input, int steps, int batch, int m, INDArray[] u, INDArray[] s, INDArray spikes, long[] counts) {
        float th = (float) vTh;
        float d = (float) decay;
        FloatBuffer in = input.data().asNioFloat();
        FloatBuffer out = spikes.data().asNioFloat();
        int inBase = (int) input.offset();
        int outBase = (int) spikes.offset();
        for (int n = 0; n < batch; n++) {
            FloatBuffer ub = u[n].data().asNioFloat();
            FloatBuffer sb = s[n].data().asNioFloat();
            int uo = (int) u[n].offset();
            int so = (int) s[n].offset();
            for (int k = 0; k < steps; k++) {
                int row = k * batch + n;
                int io = inBase + row * m;
                int oo = outBase + row * m;
                long count = 0;
                for (int j = 0; j < m; j++) {
                    float prev = ub.get(uo + j);
                    // decay * u * (1 - s): exact, as multiplying by 0 or 1 is
                    float v = (sb.get(so + j) != 0f ? 0f : d * prev) + in.get(io + j);
                    float spike = v > th ? 1f : 0f;
                    ub.put(uo + j, v);
                    sb.put(so + j, spike);
                    out.put(oo + j, spike);
                    count += (long) spike;
                }
                counts[row] = count;
            }
        }
    }

    private void runDouble(INDArray input, int steps, int batch, int m, INDArray[] u, INDArray[] s, INDArray spikes, long[] counts) {
        DoubleBuffer in = input.data().asNioDouble();
        DoubleBuffer out = spikes.data().asNioDouble();
        int inBase = (int) input.offset();
        int outBase = (int) spikes.offset();
        for (int n = 0; n < batch; n++) {
            DoubleBuffer ub = u[n].data().asNioDouble();
            DoubleBuffer sb = s[n].data().asNioDouble();
            int uo = (int) u[n].offset();
            int so = (int) s[n].offset();
            for (int k = 0; k < steps; k++) {
                int row = k * batch + n;
                int io = inBase + row * m;
                int oo = outBase + row * m;
                long count = 0;
                for (int j = 0; j < m; j++) {
                    double prev = ub.get(uo + j);
                    double v = (sb.get(so + j) != 0.0 ? 0.0 : decay * prev) + in.get(io + j);
                    double spike = v > vTh ? 1.0 : 0.0;
                    ub.put(uo + j, v);
                    sb.put(so + j, spike);
                    out.put(oo + j, spike);
                    count += (long) spike;
                }
                counts[row] = count;
            }
        }
    }
}
