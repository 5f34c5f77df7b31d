package io.spikestream.model.train;

/** LIF constants of one network: firing threshold, leak factor and surrogate half-width. */
record LifParams(double vTh, double decay, double lens) {
    Lif newLayer() {
        return new Lif(vTh, decay, lens);
    }
}
