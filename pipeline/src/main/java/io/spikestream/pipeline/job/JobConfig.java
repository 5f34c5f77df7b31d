package io.spikestream.pipeline.job;

import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import java.io.Serializable;

/**
 * Everything the operators need to know, shipped with the job graph (hence JSON for the framing
 * spec and a path for the model: both are read again on the task managers).
 *
 * @param framingJson the model's framing spec ({@link FramingSpec#toJson()})
 * @param modelPath the model file, or null to run framing only (model off)
 * @param outOfOrdernessUs how far a sensor's events may arrive out of order before they are late
 * @param sourceIdleMs a Kafka partition silent this long no longer holds the watermark back
 * @param quietFlushMs a sensor silent this long (wall clock) gets its pending windows closed
 * @param maxGapUs silences up to this long are bridged by empty windows (see {@link Framer})
 * @param stateResetGapUs a sensor's membrane state is reset when its next window starts this much later
 * @param batchSize windows of different sensors classified in one forward pass
 * @param maxWaitMs longest a window waits for its batch to fill
 * @param smoothing windows whose probabilities are averaged for the smoothed decision
 * @param jobWatermarkCloses whether the job's watermark (the minimum over all partitions) also
 *     closes windows; off by default because sensors' clocks are not synchronised: a sensor whose
 *     clock runs ahead would make another sensor's events late. Each sensor's own watermark (its
 *     newest timestamp minus {@code outOfOrdernessUs}) always closes its windows, and the end of a
 *     bounded input closes everything.
 */
public record JobConfig(
        String framingJson,
        String modelPath,
        long outOfOrdernessUs,
        long sourceIdleMs,
        long quietFlushMs,
        long maxGapUs,
        long stateResetGapUs,
        int batchSize,
        long maxWaitMs,
        int smoothing,
        boolean jobWatermarkCloses) implements Serializable {

    public JobConfig {
        FramingSpec.fromJson(framingJson); // fail at build time, not on the task managers
        if (outOfOrdernessUs < 0 || sourceIdleMs <= 0 || quietFlushMs <= 0 || maxGapUs < 0 || stateResetGapUs <= 0) {
            throw new IllegalArgumentException("job: times must be positive");
        }
        if (batchSize < 1 || batchSize > 4096 || maxWaitMs < 0 || smoothing < 1 || smoothing > 10_000) {
            throw new IllegalArgumentException("job: batch size in [1, 4096], max wait >= 0, smoothing in [1, 10000]");
        }
    }

    /** Defaults: 50 ms disorder, 1 s source idleness, 2 s quiet flush, 1 s gaps, batches of 8 within 20 ms, 5-window smoothing. */
    public static JobConfig defaults(FramingSpec spec, String modelPath) {
        return new JobConfig(spec.toJson(), modelPath, 50_000, 1_000, 2_000, Framer.DEFAULT_MAX_GAP_US, 1_000_000, 8, 20, 5, false);
    }

    public FramingSpec framing() {
        return FramingSpec.fromJson(framingJson);
    }

    public JobConfig withModel(String path) {
        return new JobConfig(framingJson, path, outOfOrdernessUs, sourceIdleMs, quietFlushMs, maxGapUs, stateResetGapUs,
                batchSize, maxWaitMs, smoothing, jobWatermarkCloses);
    }

    public JobConfig withBatching(int size, long waitMs) {
        return new JobConfig(framingJson, modelPath, outOfOrdernessUs, sourceIdleMs, quietFlushMs, maxGapUs, stateResetGapUs,
                size, waitMs, smoothing, jobWatermarkCloses);
    }

    public JobConfig withOutOfOrderness(long us) {
        return new JobConfig(framingJson, modelPath, us, sourceIdleMs, quietFlushMs, maxGapUs, stateResetGapUs,
                batchSize, maxWaitMs, smoothing, jobWatermarkCloses);
    }

    public JobConfig withQuietFlush(long ms) {
        return new JobConfig(framingJson, modelPath, outOfOrdernessUs, sourceIdleMs, ms, maxGapUs, stateResetGapUs,
                batchSize, maxWaitMs, smoothing, jobWatermarkCloses);
    }

    public JobConfig withStateResetGap(long us) {
        return new JobConfig(framingJson, modelPath, outOfOrdernessUs, sourceIdleMs, quietFlushMs, maxGapUs, us,
                batchSize, maxWaitMs, smoothing, jobWatermarkCloses);
    }

    public JobConfig withJobWatermarkClosing(boolean on) {
        return new JobConfig(framingJson, modelPath, outOfOrdernessUs, sourceIdleMs, quietFlushMs, maxGapUs, stateResetGapUs,
                batchSize, maxWaitMs, smoothing, on);
    }

    public JobConfig withSmoothing(int m) {
        return new JobConfig(framingJson, modelPath, outOfOrdernessUs, sourceIdleMs, quietFlushMs, maxGapUs, stateResetGapUs,
                batchSize, maxWaitMs, m, jobWatermarkCloses);
    }
}
