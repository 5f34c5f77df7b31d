package io.spikestream.model.train;

/**
 * How tdBN normalises during a forward pass: with the statistics of the current batch (and
 * updating the running statistics), or with the stored running statistics.
 */
public enum BnMode {
    /** Batch statistics over (T, N, H, W); running statistics updated with momentum 0.1. */
    TRAIN,
    /** Running statistics: a fixed per-channel affine map, batch independent. */
    EVAL
}
