package io.spikestream.pipeline.job;

import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event time inside the job is the sensors' clock in µs. A packet's timestamp is its newest
 * event; the watermark trails the newest timestamp by the allowed disorder. Kafka partitions get
 * their own generator (the source runs one per split) and a partition silent for {@code idleMs}
 * is marked idle so that it does not hold the others back.
 */
public final class PacketWatermarks {
    private PacketWatermarks() {
    }

    /** @param idleMs idleness timeout, or 0 for none */
    public static WatermarkStrategy<SensorEvents> strategy(long outOfOrdernessUs, long idleMs) {
        WatermarkStrategy<SensorEvents> s = WatermarkStrategy.<SensorEvents>forGenerator(ctx -> new Generator(outOfOrdernessUs))
                .withTimestampAssigner((e, previous) -> e.problem != null || e.size() == 0 ? previous : e.maxTimestamp());
        return idleMs > 0 ? s.withIdleness(Duration.ofMillis(idleMs)) : s;
    }

    /** Bounded out-of-orderness in µs (Flink's own generator takes milliseconds). */
    static final class Generator implements WatermarkGenerator<SensorEvents> {
        private final long outOfOrdernessUs;
        private long newest = Long.MIN_VALUE;

        Generator(long outOfOrdernessUs) {
            this.outOfOrdernessUs = outOfOrdernessUs;
        }

        @Override
        public void onEvent(SensorEvents event, long timestamp, WatermarkOutput output) {
            if (event.problem == null && event.size() > 0) {
                newest = Math.max(newest, timestamp);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (newest != Long.MIN_VALUE) {
                output.emitWatermark(new Watermark(newest - outOfOrdernessUs - 1));
            }
        }
    }
}
