package io.spikestream.pipeline.job;

import io.spikestream.pipeline.framing.FramingSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * The classifier operator, on the stream keyed by sensor. Windows are buffered until
 * {@code batchSize} are waiting, every sensor heard from lately has one waiting, or the oldest
 * has waited {@code maxWaitMs}, then classified in
 * one forward pass, each starting from its sensor's membrane state in Flink keyed state
 * ({@code byte[]}, so it works on the heap and the RocksDB backend) and storing the new state
 * back. A sensor's state starts fresh when its window starts more than {@code stateResetGapUs}
 * after the previous one ended. The three per-sensor states expire after {@code sensorStateTtlMs}
 * without a write (Flink TTL), like the framing state.
 *
 * <p>Windows of the same sensor are never in one batch (the second needs the first's state).
 * The buffer is flushed before every checkpoint barrier and at the end of input, so a
 * checkpoint never holds windows that are neither in state upstream nor emitted.
 */
public class ClassifierOperator extends AbstractStreamOperator<ClassificationResult>
        implements OneInputStreamOperator<FramedWindow, ClassificationResult>, BoundedOneInput {
    private static final long serialVersionUID = 1L;
    /** Batch sizes the model is prepared for at start-up (larger ones, rare, are tuned when they first occur). */
    static final int PREPARED_BATCH_SIZES = 16;

    private final JobConfig config;
    private final SpikestreamJob.SerializableFunction<JobConfig, WindowModel> modelFactory;
    private transient WindowModel model;
    private transient ValueState<byte[]> membrane;
    private transient ValueState<Long> lastEnd;
    private transient ValueState<float[]> history;
    private transient ValueState<byte[]> formerMembrane;
    private transient ValueState<Long> formerLastEnd;
    private transient ValueState<float[]> formerHistory;
    private transient List<FramedWindow> pending;
    private transient Set<String> pendingSensors;
    private transient long flushDue;
    /** Sensors that sent a window recently (processing time of the last), see {@link #everyLiveSensorPending}. */
    private transient Map<String, Long> live;
    private transient long liveForMs;
    private transient Counter windowsClassified;
    private transient Counter stateResets;
    private transient Histogram forwardMs;
    private transient Histogram batchSizes;
    private transient Histogram latencyMs;
    private transient volatile double lastSpikesPerNeuron;

    /**
     * @param modelFactory loads the model on the task manager (must be serializable, e.g. a
     *     method reference to a static loader)
     */
    public ClassifierOperator(JobConfig config, SpikestreamJob.SerializableFunction<JobConfig, WindowModel> modelFactory) {
        this.config = config;
        this.modelFactory = modelFactory;
    }

    @Override
    public void open() throws Exception {
        super.open();
        model = modelFactory.apply(config);
        // the TaskManager's slots that may run this classifier share its compute threads, one share per pass
        int slots = getContainingTask().getEnvironment().getTaskManagerInfo().getConfiguration()
                .get(TaskManagerOptions.NUM_TASK_SLOTS);
        model.shareCores(Math.min(slots, getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks()));
        FramingSpec framing = config.framing();
        model.prepare(Math.min(config.batchSize(), PREPARED_BATCH_SIZES), framing.bins(), framing.height(), framing.width());
        // the same expiry as the framing state: a sensor silent that long starts afresh anyway (stateResetGapUs).
        // New names: state without a TTL in a savepoint does not restore into a descriptor with one, so the
        // states of format 0 (no TTL) are read once per sensor and moved over (see stateOf).
        StateTtlConfig ttl = FramingOperator.ttl(config);
        ValueStateDescriptor<byte[]> m = new ValueStateDescriptor<>("sensor-membrane", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO);
        m.enableTimeToLive(ttl);
        ValueStateDescriptor<Long> e = new ValueStateDescriptor<>("sensor-last-window-end", Types.LONG);
        e.enableTimeToLive(ttl);
        ValueStateDescriptor<float[]> h = new ValueStateDescriptor<>("sensor-probability-history", PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO);
        h.enableTimeToLive(ttl);
        membrane = getRuntimeContext().getState(m);
        lastEnd = getRuntimeContext().getState(e);
        history = getRuntimeContext().getState(h);
        formerMembrane = getRuntimeContext().getState(new ValueStateDescriptor<>("membrane", PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
        formerLastEnd = getRuntimeContext().getState(new ValueStateDescriptor<>("last-window-end", Types.LONG));
        formerHistory = getRuntimeContext().getState(new ValueStateDescriptor<>("probability-history", PrimitiveArrayTypeInfo.FLOAT_PRIMITIVE_ARRAY_TYPE_INFO));
        pending = new ArrayList<>();
        pendingSensors = new HashSet<>();
        flushDue = Long.MAX_VALUE;
        live = new HashMap<>();
        liveForMs = Math.max(1, 2 * framing.hopUs() / 1000);
        var metrics = getMetricGroup();
        windowsClassified = metrics.counter("windowsClassified");
        stateResets = metrics.counter("stateResets");
        forwardMs = metrics.histogram("forwardPassMs", new DescriptiveStatisticsHistogram(1000));
        batchSizes = metrics.histogram("batchSize", new DescriptiveStatisticsHistogram(1000));
        latencyMs = metrics.histogram("latencyMs", new DescriptiveStatisticsHistogram(1000));
        metrics.gauge("spikesPerNeuron", () -> lastSpikesPerNeuron);
    }

    @Override
    public void processElement(StreamRecord<FramedWindow> element) throws Exception {
        FramedWindow w = element.getValue();
        if (pendingSensors.contains(w.sensorId)) {
            flush();
        }
        pending.add(w);
        pendingSensors.add(w.sensorId);
        long now = getProcessingTimeService().getCurrentProcessingTime();
        live.put(w.sensorId, now);
        if (pending.size() >= config.batchSize() || everyLiveSensorPending(now)) {
            flush();
        } else if (pending.size() == 1) {
            flushDue = now + config.maxWaitMs();
            long due = flushDue;
            getProcessingTimeService().registerTimer(due, t -> {
                if (flushDue == due) {
                    flush();
                }
            });
        }
    }

    /**
     * Whether no other window can join the batch soon: a batch holds one window per sensor, so once
     * every sensor that sent a window within the last two window hops is in it, waiting longer only
     * adds latency (one sensor per slot: no wait at all). Sensors silent for longer are forgotten.
     */
    private boolean everyLiveSensorPending(long now) {
        long since = now - liveForMs;
        live.values().removeIf(seen -> seen < since);
        return pendingSensors.size() >= live.size();
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flush();
    }

    @Override
    public void endInput() throws Exception {
        flush();
    }

    @Override
    public void finish() throws Exception {
        flush();
        super.finish();
    }

    /** Classifies every buffered window in one forward pass and emits the results. */
    private void flush() throws Exception {
        flushDue = Long.MAX_VALUE;
        if (pending.isEmpty()) {
            return;
        }
        List<FramedWindow> batch = pending;
        pending = new ArrayList<>();
        pendingSensors.clear();

        List<float[]> frames = new ArrayList<>(batch.size());
        List<byte[]> states = new ArrayList<>(batch.size());
        boolean[] fresh = new boolean[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            FramedWindow w = batch.get(i);
            setCurrentKey(w.sensorId);
            byte[] state = membrane.value();
            if (state == null) {
                state = migrateFormerState();
            }
            Long end = lastEnd.value();
            if (state != null && end != null && w.startUs - end > config.stateResetGapUs()) {
                state = null;
                history.clear();
                stateResets.inc();
            }
            fresh[i] = state == null;
            frames.add(w.frames);
            states.add(state);
        }
        FramedWindow first = batch.get(0);
        long t0 = System.nanoTime();
        List<WindowModel.Result> results = model.forward(frames, first.bins, first.height, first.width, states);
        forwardMs.update((System.nanoTime() - t0) / 1_000_000);
        batchSizes.update(batch.size());

        List<String> names = model.classNames();
        for (int i = 0; i < batch.size(); i++) {
            FramedWindow w = batch.get(i);
            WindowModel.Result r = results.get(i);
            setCurrentKey(w.sensorId);
            membrane.update(r.state());
            lastEnd.update(w.endUs);
            float[] p = Probabilities.softmax(r.logits());
            float[] h = Probabilities.remember(history.value(), p, config.smoothing());
            history.update(h);
            float[] smoothed = Probabilities.mean(h, p.length);

            ClassificationResult c = new ClassificationResult();
            c.sensorId = w.sensorId;
            c.windowIndex = w.index;
            c.windowStartUs = w.startUs;
            c.windowEndUs = w.endUs;
            c.events = w.events();
            c.logits = r.logits();
            c.probabilities = p;
            c.topClass = Probabilities.argmax(p);
            c.topClassName = names.get(c.topClass);
            c.smoothedProbabilities = smoothed;
            c.smoothedClass = Probabilities.argmax(smoothed);
            c.smoothedClassName = names.get(c.smoothedClass);
            c.spikesPerNeuron = r.spikesPerNeuron();
            c.layerNames = r.layerNames().toArray(new String[0]);
            c.layerRates = r.layerRates();
            c.synapticOperations = r.synapticOperations();
            c.energyPicojoules = r.energyPicojoules();
            c.modelId = model.id();
            c.freshState = fresh[i];
            c.emittedAtMs = System.currentTimeMillis();
            c.latencyMs = c.emittedAtMs - w.closedAtMs;
            latencyMs.update((long) c.latencyMs);
            lastSpikesPerNeuron = r.spikesPerNeuron();
            windowsClassified.inc();
            output.collect(new StreamRecord<>(c, w.endUs - 1));
        }
    }

    /**
     * Moves the current sensor's state of format 0 (names without the "sensor-" prefix, no TTL)
     * to today's states, once; returns the membrane found, or null.
     */
    private byte[] migrateFormerState() throws Exception {
        byte[] state = formerMembrane.value();
        if (state != null) {
            membrane.update(state);
            Long end = formerLastEnd.value();
            if (end != null) {
                lastEnd.update(end);
            }
            float[] h = formerHistory.value();
            if (h != null) {
                history.update(h);
            }
            formerMembrane.clear();
            formerLastEnd.clear();
            formerHistory.clear();
        }
        return state;
    }

    @Override
    public void close() throws Exception {
        if (model != null) {
            model.close();
        }
        super.close();
    }
}
