package io.spikestream.model;

import java.util.List;

/**
 * The cost model that picks, per layer and window, between the dense path of a convolution (an ND4J
 * op) and its Java path (the spike-driven {@link SpikeConv}, or {@link PointConv} for a 1×1 shortcut),
 * and the threads each runs on. All are measured on this machine when a window shape is first seen
 * (see {@code MsResNet}): the dense conv costs {@code denseNs} whatever its input, on the thread count
 * that measured fastest ({@code denseThreads}: ND4J's OpenMP threads, 1 or the default); the Java path
 * costs, for each number of parts it was measured with, {@code fixedNs} (reading the input and writing
 * the output, measured with no spike) plus {@code nsPerSpike} per input spike (fitted from a run at a
 * known density). The cheapest predicted path for the window's spike count is taken. Nothing in it is
 * a constant tuned to one machine: a faster GEMM, a slower scatter or a costlier thread hand-off moves
 * the break-even density, which {@link #breakEvenDensity} reports.
 *
 * @param denseNs measured time of the dense conv over the whole window (with the shortcut added, if any)
 * @param denseThreads ND4J threads it was measured fastest with (0: the calling thread's default)
 * @param java measured cost lines of the Java path, one per number of parts (at least one)
 */
record ConvCost(double denseNs, int denseThreads, List<Java> java) {
    /**
     * One cost line of the Java path.
     *
     * @param fixedNs measured time with no input spike
     * @param nsPerSpike measured marginal time per input spike
     * @param parts frames split into this many parts (threads); 0: the kernel's own choice
     */
    record Java(double fixedNs, double nsPerSpike, int parts) {
        double ns(long spikes) {
            return fixedNs + nsPerSpike * spikes;
        }

        /** From timings: with no spike, and with {@code spikes} spikes. */
        static Java fit(double emptyNs, double ns, long spikes, int parts) {
            return new Java(emptyNs, Math.max(0, ns - emptyNs) / Math.max(1, spikes), parts);
        }
    }

    ConvCost {
        if (java.isEmpty()) {
            throw new IllegalArgumentException("no cost line for the Java path");
        }
        java = List.copyOf(java);
    }

    /** The Java path's cheapest line for {@code spikes} active inputs. */
    Java best(long spikes) {
        Java best = java.get(0);
        for (Java j : java) {
            if (j.ns(spikes) < best.ns(spikes)) {
                best = j;
            }
        }
        return best;
    }

    /** Predicted time of the Java (spike-driven) path for {@code spikes} active inputs. */
    double sparseNs(long spikes) {
        return best(spikes).ns(spikes);
    }

    /** Whether the Java (spike-driven) path is predicted to be faster for {@code spikes} active inputs. */
    boolean sparseFaster(long spikes) {
        return sparseNs(spikes) < denseNs;
    }

    /**
     * Input density at which both paths are predicted to cost the same, for {@code inputs} input
     * values per window (0 when the dense path is always faster, above 1 when the sparse one is).
     */
    double breakEvenDensity(long inputs) {
        double d = 0;
        for (Java j : java) {
            if (denseNs > j.fixedNs) {
                d = Math.max(d, (denseNs - j.fixedNs) / Math.max(j.nsPerSpike, 1e-12) / inputs);
            }
        }
        return d;
    }

    /** From timings on the default threads: dense, sparse with no spike, sparse with {@code spikes} spikes. */
    static ConvCost fit(double denseNs, double sparseEmptyNs, double sparseNs, long spikes) {
        return new ConvCost(denseNs, 0, List.of(Java.fit(sparseEmptyNs, sparseNs, spikes, 0)));
    }
}
