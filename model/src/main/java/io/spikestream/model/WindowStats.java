package io.spikestream.model;

/**
 * Spiking statistics of one sample over one window, with the energy estimate the MS-ResNet paper
 * uses (45 nm: 0.9 pJ per accumulate, 4.6 pJ per multiply-accumulate). Convolutions whose input is
 * spikes cost one accumulate per spike and synapse (rate × dense MACs); the stem, the 1×1 shortcut
 * convolutions (their input is a membrane potential) and fc cost full multiply-accumulates.
 *
 * @param spikeRate per LIF layer, spikes / (neurons × timesteps)
 * @param spikesPerNeuron all spikes of the window / all LIF neurons (the paper reports about one per sample)
 * @param synapticOps accumulates (SOPs) in convolutions fed by spikes
 * @param macs multiply-accumulates (stem, shortcuts, fc)
 * @param energyJoules {@code 0.9e-12 · synapticOps + 4.6e-12 · macs}
 */
public record WindowStats(double[] spikeRate, double spikesPerNeuron, double synapticOps, double macs, double energyJoules) {
    public static final double JOULES_PER_AC = 0.9e-12;
    public static final double JOULES_PER_MAC = 4.6e-12;

    public WindowStats {
        spikeRate = spikeRate.clone();
    }

    @Override
    public double[] spikeRate() {
        return spikeRate.clone();
    }

    static WindowStats of(double[] spikeRate, double spikesPerNeuron, double synapticOps, double macs) {
        return new WindowStats(spikeRate, spikesPerNeuron, synapticOps, macs, JOULES_PER_AC * synapticOps + JOULES_PER_MAC * macs);
    }
}
