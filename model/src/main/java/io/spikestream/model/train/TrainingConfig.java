package io.spikestream.model.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Hyper-parameters of a training run; stored as JSON in every checkpoint so a resumed run
 * continues with exactly the same settings.
 *
 * @param epochs epochs of the whole run (the cosine schedule spans all of them)
 * @param batchSize samples per step
 * @param lr peak learning rate
 * @param minLr learning rate at the end of the cosine schedule
 * @param warmupEpochs epochs of linear warm-up
 * @param optimizer {@code sgd} (momentum) or {@code adamw}
 * @param momentum SGD momentum
 * @param weightDecay on conv and fc weights (coupled for SGD, decoupled for AdamW)
 * @param labelSmoothing ε of the cross-entropy target
 * @param clipNorm global gradient norm limit (0 = off)
 * @param maxShift random translation of each training sample by up to this many pixels (0 = off)
 * @param seed initialisation, shuffling and augmentation
 */
public record TrainingConfig(int epochs, int batchSize, double lr, double minLr, double warmupEpochs,
        String optimizer, double momentum, double weightDecay, double labelSmoothing, double clipNorm,
        int maxShift, long seed) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public TrainingConfig {
        if (epochs <= 0 || batchSize <= 0) {
            throw new IllegalArgumentException("epochs and batch size must be positive");
        }
        if (!optimizer.equals("sgd") && !optimizer.equals("adamw")) {
            throw new IllegalArgumentException("optimizer must be sgd or adamw, got " + optimizer);
        }
        if (!(lr > 0) || minLr < 0 || weightDecay < 0 || clipNorm < 0 || maxShift < 0 || warmupEpochs < 0) {
            throw new IllegalArgumentException("learning rates, weight decay, clipping, shift and warm-up must be >= 0 (lr > 0)");
        }
    }

    /** Defaults that train the small models of this project: AdamW 1e-3, cosine, smoothing 0.1, clip 5. */
    public static TrainingConfig defaults(int epochs, int batchSize) {
        return new TrainingConfig(epochs, batchSize, 1e-3, 1e-5, 0, "adamw", 0.9, 1e-4, 0.1, 5.0, 0, 1);
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TrainingConfig fromJson(String json) {
        try {
            return JSON.readValue(json, TrainingConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("training config is not valid: " + e.getOriginalMessage());
        }
    }

    Optimizer newOptimizer() {
        return optimizer.equals("sgd") ? new Sgd(momentum, weightDecay) : AdamW.withWeightDecay(weightDecay);
    }
}
