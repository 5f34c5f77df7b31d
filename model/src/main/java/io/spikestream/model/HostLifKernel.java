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
 * Branch-free update: {@code decay * u * (1 - s)} is exact, as multiplying by 0 or 1 is, and the threshold test is
 * branch-free too ({@link #fires}); the update loop and the threshold loop are separate so that the first vectorises.
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

    /**
     * {@code v > th ? 1 : 0} without a branch: half the neurons of a layer may fire, so a branch
     * would be mispredicted about every other neuron (7 ns per neuron and timestep instead of 1).
     * {@code th - v} is negative exactly when {@code v > th}: a difference of two unequal finite
     * floats is never zero, and {@code -0.0} comes only from {@code -0.0 - (+0.0)}, which {@code th}
     * = +0.0 for a zero threshold rules out. A NaN potential never fires, as {@code v > th} says
     * (a branch taken only for NaN is always predicted).
     */
    static int fires(float v, float th) {
        int bit = Float.floatToRawIntBits(th - v) >>> 31;
        return v != v ? 0 : bit;
    }

    /** As {@link #fires(float, float)} in float64. */
    static int fires(double v, double th) {
        int bit = (int) (Double.doubleToRawLongBits(th - v) >>> 63);
        return v != v ? 0 : bit;
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
        run(input, steps, batch, u, s, spikes, counts, 0);
    }

    @Override
    public void run(INDArray input, int steps, int batch, INDArray[] u, INDArray[] s, INDArray spikes, long[] counts, int maxParts) {
        int m = (int) (input.length() / ((long) steps * batch));
        int rows = steps * batch;
        int tileCount = (m + TILE - 1) / TILE;
        int parts = maxParts <= 0 ? Parallel.parts((long) m * rows, tileCount) : Math.max(1, Math.min(Math.min(maxParts, Parallel.width()), tileCount));
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
        float th = vTh == 0 ? 0f : (float) vTh; // +0.0 for -0.0, see fires
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
                    for (int j = 0; j < len; j++) {
                        fu[j] = d * fu[j] * (1f - fs[j]) + fin[j]; // a loop the JIT vectorises
                    }
                    int fired = 0;
                    for (int j = 0; j < len; j++) {
                        int spike = fires(fu[j], th);
                        fs[j] = spike;
                        fired += spike;
                    }
                    out.put(outBase + row * m + j0, fs, 0, len);
                    counts[row] += fired;
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
        double th = vTh == 0 ? 0.0 : vTh; // +0.0 for -0.0, see fires
        double dd = decay;
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
                    for (int j = 0; j < len; j++) {
                        du[j] = dd * du[j] * (1.0 - ds[j]) + din[j];
                    }
                    int fired = 0;
                    for (int j = 0; j < len; j++) {
                        int spike = fires(du[j], th);
                        ds[j] = spike;
                        fired += spike;
                    }
                    out.put(outBase + row * m + j0, ds, 0, len);
                    counts[row] += fired;
                }
                ub.put(uo + j0, du, 0, len);
                sb.put(so + j0, ds, 0, len);
            }
        }
    }
}
