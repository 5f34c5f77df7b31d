package io.spikestream.model;

/**
 * Where the time of {@link MsResNet#forward} went, per layer, since the last
 * {@link MsResNet#resetLayerTimings()}: what a benchmark reports to show which layers dominate and
 * which path each convolution on spikes took.
 *
 * @param name module path ({@code conv1}, {@code conv2_x.0.residual_function.1}, {@code mem_update}, ...)
 * @param kind {@code stem} (dense conv on frames), {@code lif}, {@code conv-spikes} (conv whose input is
 *     spikes: dense or spike-driven), {@code shortcut} (dense conv on a membrane potential) or {@code head}
 * @param calls windows that ran this layer
 * @param sparseCalls of those, windows in which it took the spike-driven path ({@code conv-spikes} only)
 * @param inputDensity mean fraction of ones in its input ({@code conv-spikes} only, else NaN)
 * @param breakEvenDensity density below which the cost model picks the spike-driven path, from the last
 *     calibration ({@code conv-spikes} only; NaN when the path is forced)
 * @param millis total wall-clock time
 */
public record LayerTiming(String name, String kind, long calls, long sparseCalls, double inputDensity,
        double breakEvenDensity, double millis) {
    /** {@code dense}, {@code sparse} or {@code mixed} (convolutions on spikes), else {@code dense}. */
    public String path() {
        if (sparseCalls == 0) {
            return "dense";
        }
        return sparseCalls == calls ? "sparse" : "mixed";
    }
}
