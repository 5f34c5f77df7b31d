package io.spikestream.pipeline.job;

import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.framing.Reject;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The framing operator, keyed by sensor: feeds each packet to the sensor's {@link Framer} (kept
 * in keyed state) and emits the windows that closed. A window closes when the sensor's own
 * watermark (its newest timestamp minus the allowed disorder) passes its end, when the job's
 * watermark does (at the end of a bounded input; always with {@link JobConfig#jobWatermarkCloses()}),
 * or, for a sensor that went quiet, {@code quietFlushMs} of wall-clock time after its last packet. Late and out-of-bounds events are counted and sent to the dead letters; the job never
 * fails on them.
 */
public class FramingFunction extends KeyedProcessFunction<String, SensorEvents, FramedWindow> {
    private static final long serialVersionUID = 1L;
    /** Set-aside input: late or out-of-bounds events, as text lines {@code t,x,y,p}. */
    public static final OutputTag<DeadLetterRecord> DEAD_LETTERS = new OutputTag<>("dead-letters", Types.POJO(DeadLetterRecord.class));
    /** At most this many events are written into one dead letter (the count is always complete). */
    static final int MAX_EVENTS_PER_DEAD_LETTER = 10_000;

    private final JobConfig config;
    private transient FramingSpec spec;
    private transient ValueState<Framer> framerState;
    private transient ValueState<Long> progressState;
    private transient ValueState<Long> quietTimerState;
    private transient Rejects rejects;
    private transient Counter eventsIn;
    private transient Counter late;
    private transient Counter outOfBounds;
    private transient Counter deadLettered;
    private transient Counter windows;
    private transient long openedAtMs;

    public FramingFunction(JobConfig config) {
        this.config = config;
    }

    @Override
    public void open(OpenContext ctx) {
        spec = config.framing();
        framerState = getRuntimeContext().getState(new ValueStateDescriptor<>("framer", FramerSerializer.INSTANCE));
        progressState = getRuntimeContext().getState(new ValueStateDescriptor<>("progress", Types.LONG));
        quietTimerState = getRuntimeContext().getState(new ValueStateDescriptor<>("quiet-timer", Types.LONG));
        rejects = new Rejects();
        var metrics = getRuntimeContext().getMetricGroup();
        eventsIn = metrics.counter("eventsIn");
        late = metrics.counter("eventsLate");
        outOfBounds = metrics.counter("eventsOutOfBounds");
        deadLettered = metrics.counter("deadLettered");
        windows = metrics.counter("windows");
        openedAtMs = System.currentTimeMillis();
    }

    @Override
    public void processElement(SensorEvents packet, Context ctx, Collector<FramedWindow> out) throws Exception {
        Framer framer = framerState.value();
        if (framer == null) {
            SensorGeometry g = packet.width > 0 && packet.height > 0
                    ? new SensorGeometry(packet.width, packet.height) : spec.sensor();
            framer = new Framer(spec, packet.sensorId, g, config.maxGapUs());
        }
        eventsIn.inc(packet.size());
        rejects.clear();
        framer.rejectsTo(rejects);
        framer.accept(packet.t, packet.x, packet.y, packet.p, 0, packet.size());
        framer.rejectsTo(null);
        rejects.emit(ctx, packet);

        long progress = Math.max(packet.size() == 0 ? Long.MIN_VALUE : packet.maxTimestamp(),
                progressState.value() == null ? Long.MIN_VALUE : progressState.value());
        progressState.update(progress);
        close(framer, Math.max(progress - config.outOfOrdernessUs(), jobWatermark(ctx.timerService().currentWatermark())), out);
        framerState.update(framer);
        scheduleTimers(framer, ctx);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<FramedWindow> out) throws Exception {
        Framer framer = framerState.value();
        if (framer == null) {
            return;
        }
        if (ctx.timeDomain() == org.apache.flink.streaming.api.TimeDomain.PROCESSING_TIME) {
            Long due = quietTimerState.value();
            if (due == null || due != timestamp) {
                return; // superseded by a later packet
            }
            long now = System.currentTimeMillis();
            if (now - openedAtMs < config.quietFlushMs()) {
                // restored timers fire at once after a restart: give the replayed input a full quiet period first
                long later = openedAtMs + config.quietFlushMs();
                ctx.timerService().registerProcessingTimeTimer(later);
                quietTimerState.update(later);
                return;
            }
            quietTimerState.clear();
            framer.flush(w -> emit(w, now, out));
        } else {
            close(framer, jobWatermark(ctx.timerService().currentWatermark()), out);
        }
        framerState.update(framer);
        if (framer.hasPending()) {
            ctx.timerService().registerEventTimeTimer(eventTimer(framer));
        }
    }

    /** The job watermark as far as it may close windows: always at the end of input, otherwise if configured. */
    private long jobWatermark(long watermark) {
        return watermark == Long.MAX_VALUE || config.jobWatermarkCloses() ? watermark : Long.MIN_VALUE;
    }

    private long eventTimer(Framer framer) {
        return config.jobWatermarkCloses() ? framer.nextCloseUs() : Long.MAX_VALUE;
    }

    private void close(Framer framer, long watermarkUs, Collector<FramedWindow> out) {
        long now = System.currentTimeMillis();
        framer.advanceTo(watermarkUs, w -> emit(w, now, out));
    }

    private void emit(io.spikestream.pipeline.framing.Window w, long now, Collector<FramedWindow> out) {
        windows.inc();
        out.collect(FramedWindow.of(w, now));
    }

    private void scheduleTimers(Framer framer, Context ctx) throws Exception {
        if (!framer.hasPending()) {
            return;
        }
        ctx.timerService().registerEventTimeTimer(eventTimer(framer));
        // one quiet timer per sensor, moved forward at most every 10% of the period
        long due = ctx.timerService().currentProcessingTime() + config.quietFlushMs();
        Long current = quietTimerState.value();
        if (current == null || due - current > config.quietFlushMs() / 10) {
            if (current != null) {
                ctx.timerService().deleteProcessingTimeTimer(current);
            }
            ctx.timerService().registerProcessingTimeTimer(due);
            quietTimerState.update(due);
        }
    }

    /** Collects one packet's set-aside events per reason and turns them into dead letters. */
    private final class Rejects implements Reject.Sink {
        private final Map<Reject, StringBuilder> lines = new EnumMap<>(Reject.class);
        private final Map<Reject, long[]> counts = new EnumMap<>(Reject.class);

        void clear() {
            lines.clear();
            counts.clear();
        }

        @Override
        public void reject(Reject reason, long t, int x, int y, int p) {
            long[] c = counts.computeIfAbsent(reason, r -> new long[1]);
            if (c[0]++ < MAX_EVENTS_PER_DEAD_LETTER) {
                lines.computeIfAbsent(reason, r -> new StringBuilder("t,x,y,p\n"))
                        .append(t).append(',').append(x).append(',').append(y).append(',').append(p).append('\n');
            }
        }

        void emit(Context ctx, SensorEvents packet) {
            for (Map.Entry<Reject, long[]> e : counts.entrySet()) {
                long n = e.getValue()[0];
                switch (e.getKey()) {
                    case LATE, TOO_FAR_AHEAD -> late.inc(n);
                    case OUT_OF_BOUNDS -> outOfBounds.inc(n);
                }
                String reason = n + " " + e.getKey().name().toLowerCase().replace('_', ' ') + " event(s) from sensor "
                        + packet.sensorId + " in packet " + packet.sequence
                        + (n > MAX_EVENTS_PER_DEAD_LETTER ? " (first " + MAX_EVENTS_PER_DEAD_LETTER + " listed)" : "");
                byte[] payload = lines.get(e.getKey()).toString().getBytes(StandardCharsets.UTF_8);
                ctx.output(DEAD_LETTERS, new DeadLetterRecord(packet.source == null ? packet.sensorId : packet.source,
                        packet.partition, packet.offset, reason, payload, System.currentTimeMillis()));
                deadLettered.inc();
            }
        }
    }
}
