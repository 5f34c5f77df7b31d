package io.spikestream.model;

/**
 * The cost model that picks, per layer and window, between the dense and the spike-driven path of a
 * convolution whose input is spikes. Both are measured on this machine when a window shape is first
 * seen (see {@code MsResNet}): the dense conv costs {@code denseNs} whatever its input; the
 * spike-driven one costs {@code sparseFixedNs} (reading the input and writing the output, measured
 * with no spike) plus {@code sparseNsPerSpike} per input spike (fitted from a run at a known
 * density). The sparse path is taken when its predicted time for this window's spike count is lower.
 * Nothing in it is a constant tuned to one machine: a faster GEMM or a slower scatter moves the
 * break-even density, which {@link #breakEvenDensity} reports.
 *
 * @param denseNs measured time of the dense conv over the whole window
 * @param sparseFixedNs measured time of the spike-driven conv on an all-zero input
 * @param sparseNsPerSpike measured marginal time per input spike
 */
record ConvCost(double denseNs, double sparseFixedNs, double sparseNsPerSpike) {
    /** Predicted time of the spike-driven path for {@code spikes} active inputs. */
    double sparseNs(long spikes) {
        return sparseFixedNs + sparseNsPerSpike * spikes;
    }

    /** Whether the spike-driven path is predicted to be faster for {@code spikes} active inputs. */
    boolean sparseFaster(long spikes) {
        return sparseNs(spikes) < denseNs;
    }

    /**
     * Input density at which both paths are predicted to cost the same, for {@code inputs} input
     * values per window (0 when the dense path is always faster, above 1 when the sparse one is).
     */
    double breakEvenDensity(long inputs) {
        if (denseNs <= sparseFixedNs) {
            return 0;
        }
        return (denseNs - sparseFixedNs) / Math.max(sparseNsPerSpike, 1e-12) / inputs;
    }

    /** From timings: dense, sparse with no spike, sparse with {@code spikes} spikes. */
    static ConvCost fit(double denseNs, double sparseEmptyNs, double sparseNs, long spikes) {
        double perSpike = Math.max(0, sparseNs - sparseEmptyNs) / Math.max(1, spikes);
        return new ConvCost(denseNs, sparseEmptyNs, perSpike);
    }
}
