package io.spikestream.pipeline.job;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.framing.Reject;
import io.spikestream.pipeline.framing.Window;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * The framing operator, keyed by sensor: feeds each packet to the sensor's {@link Framer} and
 * emits the windows that closed. A window closes when the sensor's own watermark (its newest
 * timestamp minus the allowed disorder) passes its end, when the job's watermark does (at the end
 * of a bounded input; always with {@link JobConfig#jobWatermarkCloses()}), or, for a sensor that
 * went quiet, {@code quietFlushMs} of wall-clock time after its last packet. Late and
 * out-of-bounds events, and undecodable records ({@link SensorEvents#problem}), are counted and
 * sent to the dead letters; the job never fails on them.
 *
 * <p><b>State.</b> The framers live in operator memory, so a packet costs O(its events) on every
 * state backend. Only at a checkpoint is each sensor that changed since the previous one written
 * to keyed state ({@value #STATE}: {@code byte[]} with a leading format version, see
 * {@link #encode}); at start the operator reads back every sensor of its key groups (which also
 * covers rescaling). Because all work runs in the task's mailbox thread, the memory at the
 * barrier is exactly the state of the checkpoint. Savepoints of the former format (a
 * {@code Framer} per sensor in state "framer", operator "framing") are migrated on restore.
 *
 * <p><b>Expiry.</b> A sensor silent for {@code sensorStateTtlMs} of wall-clock time is dropped
 * from memory and its keyed state cleared; the state descriptor also carries a Flink
 * {@link StateTtlConfig} of the same length, so that state nobody loads again expires as well.
 */
public class FramingOperator extends AbstractStreamOperator<FramedWindow>
        implements OneInputStreamOperator<SensorEvents, FramedWindow> {
    private static final long serialVersionUID = 1L;
    /** Set-aside input: late or out-of-bounds events, as text lines {@code t,x,y,p}. */
    public static final OutputTag<DeadLetterRecord> DEAD_LETTERS = new OutputTag<>("dead-letters", Types.POJO(DeadLetterRecord.class));
    /** At most this many events are written into one dead letter (the count is always complete). */
    static final int MAX_EVENTS_PER_DEAD_LETTER = 10_000;
    /** Keyed state of a sensor's framing, written at checkpoints. */
    static final String STATE = "sensor-framing";
    /** Version of the bytes in {@value #STATE} (the former format, a Framer in state "framer", is 0). */
    static final byte FORMAT = 1;

    private final JobConfig config;
    private transient FramingSpec spec;
    private transient Map<String, Sensor> sensors;
    private transient ValueState<byte[]> stored;
    private transient Rejects rejects;
    private transient StreamRecord<FramedWindow> reuse;
    private transient long watermark;
    private transient long openedAtMs;
    private transient long tickMs;
    private transient Counter eventsIn;
    private transient Counter late;
    private transient Counter outOfBounds;
    private transient Counter deadLettered;
    private transient Counter windows;
    private transient Counter expired;
    private transient Counter undecodable;
    private transient EventBatch scratch;

    /** One sensor's framing, in memory. */
    static final class Sensor {
        final Framer framer;
        /** Newest event time seen (µs), for the sensor's own watermark. */
        long progressUs = Long.MIN_VALUE;
        /** Wall clock of the last packet: for the TTL (stored) and the quiet flush (not before a restart's start). */
        long lastSeenMs;
        /** Changed since the last checkpoint. */
        boolean dirty;

        Sensor(Framer framer) {
            this.framer = framer;
        }
    }

    public FramingOperator(JobConfig config) {
        this.config = config;
    }

    /** The Flink TTL of per-sensor state (framing here, membrane in the classifier). */
    static StateTtlConfig ttl(JobConfig config) {
        return StateTtlConfig.newBuilder(Duration.ofMillis(config.sensorStateTtlMs()))
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .cleanupFullSnapshot()
                .build();
    }

    @Override
    public void open() throws Exception {
        super.open();
        spec = config.framing();
        sensors = new HashMap<>();
        rejects = new Rejects();
        reuse = new StreamRecord<>(null);
        watermark = Long.MIN_VALUE;
        var metrics = getMetricGroup();
        eventsIn = metrics.counter("eventsIn");
        late = metrics.counter("eventsLate");
        outOfBounds = metrics.counter("eventsOutOfBounds");
        deadLettered = metrics.counter("deadLettered");
        windows = metrics.counter("windows");
        expired = metrics.counter("sensorsExpired");
        undecodable = metrics.counter("recordsUndecodable");
        scratch = new EventBatch(1 << 12);
        metrics.gauge("sensors", () -> sensors.size());

        ValueStateDescriptor<byte[]> d = new ValueStateDescriptor<>(STATE, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        d.enableTimeToLive(ttl(config));
        stored = getRuntimeContext().getState(d);
        openedAtMs = getProcessingTimeService().getCurrentProcessingTime();
        for (String key : keys(STATE)) {
            setCurrentKey(key);
            byte[] b = stored.value();
            if (b != null) {
                sensors.put(key, decode(b));
            }
        }
        migrateFormerState();
        tickMs = Math.max(10, Math.min(1_000, Math.min(config.quietFlushMs(), config.sensorStateTtlMs()) / 10));
        scheduleTick();
    }

    private List<String> keys(String state) {
        try (Stream<Object> keys = getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
            // collected first: the loop reads state, which must not run inside the backend's iteration
            return keys.map(k -> (String) k).collect(Collectors.toList());
        }
    }

    /**
     * Format 0 (spikestream 0.1): a {@code Framer} in "framer", the newest timestamp in
     * "progress", a quiet timer in "quiet-timer" and Flink timers in "user-timers". Each sensor
     * found there moves into memory (written in format 1 at the next checkpoint); the old state
     * and timers are removed.
     */
    private void migrateFormerState() throws Exception {
        ValueState<Framer> framer = getRuntimeContext().getState(new ValueStateDescriptor<>("framer", FramerSerializer.INSTANCE));
        ValueState<Long> progress = getRuntimeContext().getState(new ValueStateDescriptor<>("progress", Types.LONG));
        ValueState<Long> quiet = getRuntimeContext().getState(new ValueStateDescriptor<>("quiet-timer", Types.LONG));
        List<String> former = keys("framer");
        if (former.isEmpty()) {
            return;
        }
        InternalTimerService<VoidNamespace> timers = getInternalTimerService("user-timers", VoidNamespaceSerializer.INSTANCE,
                new Triggerable<String, VoidNamespace>() {
                    @Override
                    public void onEventTime(InternalTimer<String, VoidNamespace> timer) {
                    }

                    @Override
                    public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {
                    }
                });
        for (String key : former) {
            setCurrentKey(key);
            Framer f = framer.value();
            if (f != null && !sensors.containsKey(key)) {
                Sensor s = new Sensor(f);
                Long p = progress.value();
                s.progressUs = p == null ? Long.MIN_VALUE : p;
                s.lastSeenMs = openedAtMs;
                s.dirty = true;
                sensors.put(key, s);
                if (f.hasPending()) {
                    timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, Long.MAX_VALUE);
                    timers.deleteEventTimeTimer(VoidNamespace.INSTANCE, f.nextCloseUs());
                }
            }
            Long q = quiet.value();
            if (q != null) {
                timers.deleteProcessingTimeTimer(VoidNamespace.INSTANCE, q);
            }
            framer.clear();
            progress.clear();
            quiet.clear();
        }
    }

    @Override
    public void processElement(StreamRecord<SensorEvents> element) throws Exception {
        SensorEvents packet = element.getValue();
        if (packet.problem != null) {
            // undecodable records come here too (keyed by the empty id): one operator less in the chain
            undecodable.inc();
            deadLettered.inc();
            output.collect(DEAD_LETTERS, new StreamRecord<>(new DeadLetterRecord(packet.source, packet.partition,
                    packet.offset, packet.problem, packet.raw, System.currentTimeMillis())));
            return;
        }
        Sensor s = sensors.get(packet.sensorId);
        if (s == null) {
            SensorGeometry g = packet.width > 0 && packet.height > 0
                    ? new SensorGeometry(packet.width, packet.height) : spec.sensor();
            s = new Sensor(new Framer(spec, packet.sensorId, g, config.maxGapUs()));
            sensors.put(packet.sensorId, s);
        }
        s.lastSeenMs = getProcessingTimeService().getCurrentProcessingTime();
        s.dirty = true;
        int n = packet.size();
        eventsIn.inc(n);
        Framer framer = s.framer;
        rejects.clear();
        framer.rejectsTo(rejects);
        if (packet.wire != null) {
            packet.columns(scratch);
            framer.accept(scratch.ts(), scratch.xs(), scratch.ys(), scratch.ps(), 0, n);
        } else {
            framer.accept(packet.t, packet.x, packet.y, packet.p, 0, n);
        }
        framer.rejectsTo(null);
        rejects.emit(packet);
        if (n > 0) {
            s.progressUs = Math.max(s.progressUs, packet.maxTimestamp());
        }
        long own = s.progressUs == Long.MIN_VALUE ? Long.MIN_VALUE : s.progressUs - config.outOfOrdernessUs();
        close(framer, Math.max(own, jobWatermark()));
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        watermark = mark.getTimestamp();
        long w = jobWatermark();
        if (w != Long.MIN_VALUE) {
            for (Sensor s : sensors.values()) {
                if (s.framer.hasPending() && s.framer.nextCloseUs() <= w) {
                    close(s.framer, w);
                    s.dirty = true;
                }
            }
        }
        super.processWatermark(mark);
    }

    /** The job watermark as far as it may close windows: always at the end of input, otherwise if configured. */
    private long jobWatermark() {
        return watermark == Long.MAX_VALUE || config.jobWatermarkCloses() ? watermark : Long.MIN_VALUE;
    }

    private void close(Framer framer, long watermarkUs) {
        if (framer.hasPending() && framer.nextCloseUs() <= watermarkUs) {
            long now = System.currentTimeMillis();
            framer.advanceTo(watermarkUs, w -> emit(w, now));
        }
    }

    private void emit(Window w, long now) {
        windows.inc();
        output.collect(reuse.replace(FramedWindow.of(w, now), w.endUs() - 1));
    }

    private void scheduleTick() {
        long due = getProcessingTimeService().getCurrentProcessingTime() + tickMs;
        getProcessingTimeService().registerTimer(due, this::tick);
    }

    /** Quiet flush and expiry, for every sensor, a few times per quiet period. */
    private void tick(long time) throws Exception {
        long now = getProcessingTimeService().getCurrentProcessingTime();
        for (Iterator<Map.Entry<String, Sensor>> it = sensors.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Sensor> e = it.next();
            Sensor s = e.getValue();
            if (now - s.lastSeenMs >= config.sensorStateTtlMs()) {
                it.remove();
                setCurrentKey(e.getKey());
                stored.clear();
                expired.inc();
            } else if (s.framer.hasPending() && now - Math.max(s.lastSeenMs, openedAtMs) >= config.quietFlushMs()) {
                // restored sensors get a full quiet period after the start: the replayed input comes first
                long wall = System.currentTimeMillis();
                s.framer.flush(w -> emit(w, wall));
                s.dirty = true;
            }
        }
        scheduleTick();
    }

    @Override
    public void snapshotState(org.apache.flink.runtime.state.StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        for (Map.Entry<String, Sensor> e : sensors.entrySet()) {
            Sensor s = e.getValue();
            if (s.dirty) {
                setCurrentKey(e.getKey());
                stored.update(encode(s));
                s.dirty = false;
            }
        }
    }

    /** Sensors held in memory (for tests). */
    int sensorsInMemory() {
        return sensors.size();
    }

    /**
     * Format 1: version byte, newest event time, wall clock of the last packet, then
     * {@link Framer#writeState}.
     */
    static byte[] encode(Sensor s) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeByte(FORMAT);
        out.writeLong(s.progressUs);
        out.writeLong(s.lastSeenMs);
        s.framer.writeState(out);
        out.flush();
        return bytes.toByteArray();
    }

    static Sensor decode(byte[] b) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
        int version = in.readByte();
        if (version != FORMAT) {
            throw new IOException("sensor framing state: format " + version + ", this version reads format " + FORMAT);
        }
        long progress = in.readLong();
        long lastSeen = in.readLong();
        Sensor s = new Sensor(Framer.readState(in));
        s.progressUs = progress;
        s.lastSeenMs = lastSeen;
        return s;
    }

    /** Collects one packet's set-aside events per reason and turns them into dead letters. */
    private final class Rejects implements Reject.Sink {
        private final Map<Reject, StringBuilder> lines = new EnumMap<>(Reject.class);
        private final Map<Reject, long[]> counts = new EnumMap<>(Reject.class);

        void clear() {
            if (!counts.isEmpty()) {
                lines.clear();
                counts.clear();
            }
        }

        @Override
        public void reject(Reject reason, long t, int x, int y, int p) {
            long[] c = counts.computeIfAbsent(reason, r -> new long[1]);
            if (c[0]++ < MAX_EVENTS_PER_DEAD_LETTER) {
                lines.computeIfAbsent(reason, r -> new StringBuilder("t,x,y,p\n"))
                        .append(t).append(',').append(x).append(',').append(y).append(',').append(p).append('\n');
            }
        }

        void emit(SensorEvents packet) {
            if (counts.isEmpty()) {
                return;
            }
            List<DeadLetterRecord> letters = new ArrayList<>();
            for (Map.Entry<Reject, long[]> e : counts.entrySet()) {
                long n = e.getValue()[0];
                switch (e.getKey()) {
                    case LATE, TOO_FAR_AHEAD -> late.inc(n);
                    case OUT_OF_BOUNDS -> outOfBounds.inc(n);
                }
                String reason = n + " " + e.getKey().name().toLowerCase(Locale.ROOT).replace('_', ' ') + " event(s) from sensor "
                        + packet.sensorId + " in packet " + packet.sequence
                        + (n > MAX_EVENTS_PER_DEAD_LETTER ? " (first " + MAX_EVENTS_PER_DEAD_LETTER + " listed)" : "");
                byte[] payload = lines.get(e.getKey()).toString().getBytes(StandardCharsets.UTF_8);
                letters.add(new DeadLetterRecord(packet.source == null ? packet.sensorId : packet.source,
                        packet.partition, packet.offset, reason, payload, System.currentTimeMillis()));
            }
            for (DeadLetterRecord d : letters) {
                output.collect(DEAD_LETTERS, new StreamRecord<>(d));
                deadLettered.inc();
            }
        }
    }
}
