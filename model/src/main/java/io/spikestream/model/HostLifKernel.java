package io.spikestream.model;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * LIF over the host memory of CPU-backend arrays. Neurons are processed in tiles that stay in the
 * L1 cache across the K timesteps; each tile of input, potentials and spikes is moved between the
 * ND4J buffers and Java arrays with bulk copies, because the JIT vectorises the update loop on
 * Java arrays (about 2 ns per neuron and timestep here) but not on direct buffers (about 10 ns).
 * Branch-free update: {@code decay * u * (1 - s)} is exact, as multiplying by 0 or 1 is.
 * Large layers are split into disjoint neuron ranges run in parallel ({@link Parallel}).
 * Requires C-ordered arrays in host memory (ND4J's CPU backend). Not thread-safe (reuses its tiles).
 */
final class HostLifKernel implements LifKernel {
    private static final int TILE = 2048;

    private final double vTh;
    private final double decay;
    private final Tiles[] tiles = new Tiles[Parallel.PARTS];

    /** Tile buffers and spike counts of one part of the neurons (one thread). */
    private static final class Tiles {
        final float[] fu = new float[TILE];
        final float[] fs = new float[TILE];
        final float[] fin = new float[TILE];
        final double[] du = new double[TILE];
        final double[] ds = new double[TILE];
        final double[] din = new double[TILE];
        long[] counts = new long[0];
    }

    HostLifKernel(double vTh, double decay) {
        this.vTh = vTh;
        this.decay = decay;
        for (int i = 0; i < tiles.length; i++) {
            tiles[i] = new Tiles();
        }
    }

    @Override
    public void run(INDArray input, int steps, int batch, INDArray[] u, INDArray[] s, INDArray spikes, long[] counts) {
        int m = (int) (input.length() / ((long) steps * batch));
        int rows = steps * batch;
        int tileCount = (m + TILE - 1) / TILE;
        int parts = Parallel.parts((long) m * rows, tileCount);
        boolean f32 = input.dataType() == DataType.FLOAT;
        Parallel.run(parts, p -> {
            Tiles t = tiles[p];
            if (t.counts.length < rows) {
                t.counts = new long[rows];
            }
            java.util.Arrays.fill(t.counts, 0, rows, 0L);
            int from = Math.min(m, tileCount * p / parts * TILE);
            int to = Math.min(m, tileCount * (p + 1) / parts * TILE);
            if (f32) {
                runFloat(input, steps, batch, m, from, to, u, s, spikes, t);
            } else {
                runDouble(input, steps, batch, m, from, to, u, s, spikes, t);
            }
        });
        java.util.Arrays.fill(counts, 0, rows, 0L);
        for (int p = 0; p < parts; p++) {
            for (int r = 0; r < rows; r++) {
                counts[r] += tiles[p].counts[r];
            }
        }
    }

    private void runFloat(INDArray input, int steps, int batch, int m, int from, int to, INDArray[] u, INDArray[] s,
            INDArray spikes, Tiles t) {
        float[] fu = t.fu;
        float[] fs = t.fs;
        float[] fin = t.fin;
        long[] counts = t.counts;
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
            for (int j0 = from; j0 < to; j0 += TILE) {
                int len = Math.min(TILE, to - j0);
                ub.get(uo + j0, fu, 0, len);
                sb.get(so + j0, fs, 0, len);
                for (int k = 0; k < steps; k++) {
                    int row = k * batch + n;
                    in.get(inBase + row * m + j0, fin, 0, len);
                    float fired = 0;
                    for (int j = 0; j < len; j++) {
                        float v = d * fu[j] * (1f - fs[j]) + fin[j];
                        float spike = v > th ? 1f : 0f;
                        fu[j] = v;
                        fs[j] = spike;
                        fired += spike;
                    }
                    out.put(outBase + row * m + j0, fs, 0, len);
                    counts[row] += (long) fired; // exact: at most TILE < 2^24
                }
                ub.put(uo + j0, fu, 0, len);
                sb.put(so + j0, fs, 0, len);
            }
        }
    }

    private void runDouble(INDArray input, int steps, int batch, int m, int from, int to, INDArray[] u, INDArray[] s,
            INDArray spikes, Tiles t) {
        double[] du = t.du;
        double[] ds = t.ds;
        double[] din = t.din;
        long[] counts = t.counts;
        DoubleBuffer in = input.data().asNioDouble();
        DoubleBuffer out = spikes.data().asNioDouble();
        int inBase = (int) input.offset();
        int outBase = (int) spikes.offset();
        for (int n = 0; n < batch; n++) {
            DoubleBuffer ub = u[n].data().asNioDouble();
            DoubleBuffer sb = s[n].data().asNioDouble();
            int uo = (int) u[n].offset();
            int so = (int) s[n].offset();
            for (int j0 = from; j0 < to; j0 += TILE) {
                int len = Math.min(TILE, to - j0);
                ub.get(uo + j0, du, 0, len);
                sb.get(so + j0, ds, 0, len);
                for (int k = 0; k < steps; k++) {
                    int row = k * batch + n;
                    in.get(inBase + row * m + j0, din, 0, len);
                    double fired = 0;
                    for (int j = 0; j < len; j++) {
                        double v = decay * du[j] * (1.0 - ds[j]) + din[j];
                        double spike = v > vTh ? 1.0 : 0.0;
                        du[j] = v;
                        ds[j] = spike;
                        fired += spike;
                    }
                    out.put(outBase + row * m + j0, ds, 0, len);
                    counts[row] += (long) fired;
                }
                ub.put(uo + j0, du, 0, len);
                sb.put(so + j0, ds, 0, len);
            }
        }
    }
}
