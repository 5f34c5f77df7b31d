package io.spikestream.pipeline.job;

import java.util.List;

/**
 * What the classifier operator needs from a network: one forward pass over the windows of
 * several sensors, each starting from that sensor's membrane state (in its byte form, as kept in
 * Flink state) and returning the new one. Implementations are not thread-safe; each operator
 * instance loads its own.
 */
public interface WindowModel extends AutoCloseable {

    /** Model id and version, for the {@code modelId} of each classification. */
    String id();

    /** Class names in output order. */
    List<String> classNames();

    /**
     * Classifies a batch of windows.
     *
     * @param frames per sample one window {@code [bins, 2, height, width]}
     * @param states per sample the membrane state bytes, or null for a fresh state
     * @return per sample, in order, the result and the state after the window
     */
    List<Result> forward(List<float[]> frames, int bins, int height, int width, List<byte[]> states);

    /**
     * Gets ready for batches of 1 to {@code maxBatch} windows of this shape before the first window
     * arrives (buffers, per-shape tuning), so that the first windows of each batch size do not wait
     * for it. Nothing by default.
     */
    default void prepare(int maxBatch, int bins, int height, int width) {
    }

    /**
     * Tells the model that up to {@code passes} instances in this process (the slots of one
     * TaskManager) classify side by side, so that each takes its share of the cores rather than
     * all of them. Called once, before {@link #prepare}. Nothing by default.
     */
    default void shareCores(int passes) {
    }

    /**
     * One window's outcome.
     *
     * @param logits mean over the window's timesteps, per class
     * @param layerNames spiking layers in network order
     * @param layerRates spikes per neuron per timestep, per layer
     * @param spikesPerNeuron all spikes / (spiking neurons × timesteps)
     * @param synapticOperations accumulate operations triggered by spikes
     * @param energyPicojoules energy estimate
     * @param state the membrane state after the window, byte form
     */
    record Result(float[] logits, List<String> layerNames, float[] layerRates, double spikesPerNeuron,
                  double synapticOperations, double energyPicojoules, byte[] state) {}

    @Override
    void close();
}
