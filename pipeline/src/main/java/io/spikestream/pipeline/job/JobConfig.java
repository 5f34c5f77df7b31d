package io.spikestream.pipeline.job;

import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import java.io.Serializable;

/**
 * Everything the operators need to know, shipped with the job graph (hence JSON for the framing
 * spec and a path for the model: both are read again on the task managers). Build one with
 * {@link #defaults} and change it with {@link #toBuilder()} (or the short withers).
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
 * @param sensorStateTtlMs a sensor silent this long (wall clock) loses its framing and membrane
 *     state, in memory and in Flink state (so ids that come and go do not grow the state forever)
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
        boolean jobWatermarkCloses,
        long sensorStateTtlMs) implements Serializable {

    /** Default {@code --sensor-state-ttl}: one hour. */
    public static final long DEFAULT_SENSOR_STATE_TTL_MS = 3_600_000;

    public JobConfig {
        FramingSpec.fromJson(framingJson); // fail at build time, not on the task managers
        if (outOfOrdernessUs < 0 || sourceIdleMs <= 0 || quietFlushMs <= 0 || maxGapUs < 0 || stateResetGapUs <= 0
                || sensorStateTtlMs <= 0) {
            throw new IllegalArgumentException("job: times must be positive");
        }
        if (sensorStateTtlMs < quietFlushMs) {
            throw new IllegalArgumentException("job: the sensor state TTL (" + sensorStateTtlMs
                    + " ms) must not be shorter than the quiet flush (" + quietFlushMs + " ms)");
        }
        if (batchSize < 1 || batchSize > 4096 || maxWaitMs < 0 || smoothing < 1 || smoothing > 10_000) {
            throw new IllegalArgumentException("job: batch size in [1, 4096], max wait >= 0, smoothing in [1, 10000]");
        }
    }

    /**
     * Defaults: 50 ms disorder, 1 s source idleness, 2 s quiet flush, 1 s gaps, batches of 8 within
     * 20 ms, 5-window smoothing, one hour sensor state TTL.
     */
    public static JobConfig defaults(FramingSpec spec, String modelPath) {
        return new JobConfig(spec.toJson(), modelPath, 50_000, 1_000, 2_000, Framer.DEFAULT_MAX_GAP_US, 1_000_000, 8, 20, 5,
                false, DEFAULT_SENSOR_STATE_TTL_MS);
    }

    public FramingSpec framing() {
        return FramingSpec.fromJson(framingJson);
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    public JobConfig withModel(String path) {
        return toBuilder().modelPath(path).build();
    }

    public JobConfig withBatching(int size, long waitMs) {
        return toBuilder().batchSize(size).maxWaitMs(waitMs).build();
    }

    public JobConfig withOutOfOrderness(long us) {
        return toBuilder().outOfOrdernessUs(us).build();
    }

    public JobConfig withQuietFlush(long ms) {
        return toBuilder().quietFlushMs(ms).build();
    }

    public JobConfig withStateResetGap(long us) {
        return toBuilder().stateResetGapUs(us).build();
    }

    public JobConfig withSmoothing(int m) {
        return toBuilder().smoothing(m).build();
    }

    public JobConfig withSensorStateTtl(long ms) {
        return toBuilder().sensorStateTtlMs(ms).build();
    }

    /** Changes some fields of a configuration; {@link #build()} checks the whole. */
    public static final class Builder {
        private String framingJson;
        private String modelPath;
        private long outOfOrdernessUs;
        private long sourceIdleMs;
        private long quietFlushMs;
        private long maxGapUs;
        private long stateResetGapUs;
        private int batchSize;
        private long maxWaitMs;
        private int smoothing;
        private boolean jobWatermarkCloses;
        private long sensorStateTtlMs;

        private Builder(JobConfig c) {
            framingJson = c.framingJson;
            modelPath = c.modelPath;
            outOfOrdernessUs = c.outOfOrdernessUs;
            sourceIdleMs = c.sourceIdleMs;
            quietFlushMs = c.quietFlushMs;
            maxGapUs = c.maxGapUs;
            stateResetGapUs = c.stateResetGapUs;
            batchSize = c.batchSize;
            maxWaitMs = c.maxWaitMs;
            smoothing = c.smoothing;
            jobWatermarkCloses = c.jobWatermarkCloses;
            sensorStateTtlMs = c.sensorStateTtlMs;
        }

        public Builder framing(FramingSpec spec) {
            framingJson = spec.toJson();
            return this;
        }

        public Builder modelPath(String v) {
            modelPath = v;
            return this;
        }

        public Builder outOfOrdernessUs(long v) {
            outOfOrdernessUs = v;
            return this;
        }

        public Builder sourceIdleMs(long v) {
            sourceIdleMs = v;
            return this;
        }

        public Builder quietFlushMs(long v) {
            quietFlushMs = v;
            return this;
        }

        public Builder maxGapUs(long v) {
            maxGapUs = v;
            return this;
        }

        public Builder stateResetGapUs(long v) {
            stateResetGapUs = v;
            return this;
        }

        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        public Builder maxWaitMs(long v) {
            maxWaitMs = v;
            return this;
        }

        public Builder smoothing(int v) {
            smoothing = v;
            return this;
        }

        public Builder jobWatermarkCloses(boolean v) {
            jobWatermarkCloses = v;
            return this;
        }

        public Builder sensorStateTtlMs(long v) {
            sensorStateTtlMs = v;
            return this;
        }

        public JobConfig build() {
            return new JobConfig(framingJson, modelPath, outOfOrdernessUs, sourceIdleMs, quietFlushMs, maxGapUs,
                    stateResetGapUs, batchSize, maxWaitMs, smoothing, jobWatermarkCloses, sensorStateTtlMs);
        }
    }
}
