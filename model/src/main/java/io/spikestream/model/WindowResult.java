package io.spikestream.model;

import java.util.List;

/**
 * What {@link MsResNet#forward} returns for a window of K timesteps and N samples.
 *
 * @param steps K
 * @param batch N
 * @param logits {@code [N][classes]}: fc of the pooled spikes averaged over this window's K timesteps
 * @param pooled {@code [K][N][C]}: spatially averaged head spikes per timestep
 * @param spikeCounts {@code [layer][K][N]}: spikes of each LIF layer per timestep and sample
 * @param states the N states, updated in place (the same objects that were passed in)
 * @param stats per sample
 */
public record WindowResult(int steps, int batch, double[][] logits, double[][][] pooled, long[][][] spikeCounts,
        List<MembraneState> states, List<WindowStats> stats) {

    /** Index of the largest logit of sample {@code n}. */
    public int predictedClass(int n) {
        double[] l = logits[n];
        int best = 0;
        for (int i = 1; i < l.length; i++) {
            if (l[i] > l[best]) {
                best = i;
            }
        }
        return best;
    }
}
