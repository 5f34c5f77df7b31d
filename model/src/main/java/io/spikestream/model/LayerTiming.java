package io.spikestream.model;

/**
 * Where the time of {@link MsResNet#forward} went, per layer, since the last
 * {@link MsResNet#resetLayerTimings()}: what a benchmark reports to show which layers dominate and
 * which path each convolution on spikes took.
 *
 * @param name module path ({@code conv1}, {@code conv2_x.0.residual_function.1}, {@code mem_update}, ...)
 * @param kind {@code stem} (conv on event frames), {@code lif}, {@code conv-spikes} (conv whose input is
 *     spikes), {@code shortcut} (1×1 conv on a membrane potential) or {@code head} (pooling and fc)
 * @param calls windows that ran this layer
 * @param sparseCalls of those, windows in which it took the Java path (spike-driven for the stem's first
 *     conv and the convs on spikes, plain loops for a shortcut)
 * @param inputDensity mean fraction of non-zeros in its input (first stem conv and convs on spikes, else NaN)
 * @param breakEvenDensity density below which the cost model picks the spike-driven path, from the last
 *     calibration (first stem conv and convs on spikes; NaN when the path is forced)
 * @param millis total wall-clock time
 */
public record LayerTiming(String name, String kind, long calls, long sparseCalls, double inputDensity,
        double breakEvenDensity, double millis) {
    /**
     * The path the layer took: {@code dense} (ND4J conv2d), {@code sparse} (spike-driven) or {@code mixed}
     * for the stem and the convolutions on spikes; {@code nd4j}, {@code java} or {@code mixed} for a
     * shortcut conv; {@code java} for the LIF layers and the head, which have one path.
     */
    public String path() {
        boolean conv = kind.equals("stem") || kind.equals("conv-spikes");
        if (!conv && !kind.equals("shortcut")) {
            return "java";
        }
        if (sparseCalls == 0) {
            return conv ? "dense" : "nd4j";
        }
        if (sparseCalls == calls) {
            return conv ? "sparse" : "java";
        }
        return "mixed";
    }
}
