package io.spikestream.model.train;

/**
 * Learning rate per optimizer step: linear warm-up from 0, then a cosine decay from
 * {@code base} to {@code min} over the remaining steps (per step, not per epoch, so short
 * runs anneal smoothly).
 */
public record CosineSchedule(double base, double min, long totalSteps, long warmupSteps) {
    public CosineSchedule {
        if (!(base > 0) || min < 0 || min > base || totalSteps <= 0 || warmupSteps < 0 || warmupSteps >= totalSteps) {
            throw new IllegalArgumentException("bad cosine schedule: base " + base + ", min " + min
                    + ", " + totalSteps + " steps, " + warmupSteps + " warm-up");
        }
    }

    public double lr(long step) {
        if (step < warmupSteps) {
            return base * (step + 1) / warmupSteps;
        }
        double progress = Math.min(1.0, (double) (step - warmupSteps) / (totalSteps - warmupSteps));
        return min + 0.5 * (base - min) * (1 + Math.cos(Math.PI * progress));
    }
}
