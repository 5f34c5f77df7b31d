package io.spikestream.connectors.synth;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.recording.EventWriter;
import io.spikestream.connectors.recording.RecordingFormat;
import io.spikestream.connectors.recording.Recordings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumSet;
import java.util.Set;

/**
 * Writes simulated recordings in the DVS128 Gesture layout: {@code userNN_<lighting>.aedat}
 * (AEDAT 3.1, 128×128) and {@code userNN_<lighting>_labels.csv} with one
 * {@code class,startTime_usec,endTime_usec} row per take. Each file is written under a temporary
 * name and moved into place when complete, so an interrupted run never leaves a truncated
 * recording that looks finished.
 */
public final class SyntheticGestureDataset {
    private final GestureSimulator simulator;
    private final int repetitions;
    private final Set<Gesture> gestures;

    /** Recordings with every gesture {@code repetitions} times. */
    public SyntheticGestureDataset(GestureSimulator simulator, int repetitions) {
        this(simulator, repetitions, EnumSet.allOf(Gesture.class));
    }

    /** Recordings with only the given gestures (short demo recordings), each {@code repetitions} times. */
    public SyntheticGestureDataset(GestureSimulator simulator, int repetitions, Set<Gesture> gestures) {
        if (repetitions < 1 || repetitions > 20) {
            throw new IllegalArgumentException("repetitions " + repetitions + " outside 1..20");
        }
        if (gestures.isEmpty()) {
            throw new IllegalArgumentException("no gestures to perform");
        }
        this.simulator = simulator;
        this.repetitions = repetitions;
        this.gestures = EnumSet.copyOf(gestures);
    }

    /** Simulates one user under one lighting and writes the recording and its labels into {@code dir}. */
    public WrittenRecording write(Path dir, int user, Lighting lighting) throws IOException {
        RecordingPlan plan = simulator.plan(user, lighting, repetitions, gestures);
        Path events = dir.resolve(plan.baseName() + ".aedat");
        Path labels = dir.resolve(plan.baseName() + "_labels.csv");
        Path partial = dir.resolve(plan.baseName() + ".aedat.part");
        long[] count = new long[1];
        try (EventWriter writer = Recordings.writer(partial, RecordingFormat.AEDAT31, GestureSimulator.GEOMETRY)) {
            simulator.simulate(plan, (EventBatch chunk) -> {
                writer.write(chunk);
                count[0] += chunk.size();
            });
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, events, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        writeLabels(labels, plan);
        return new WrittenRecording(events, labels, plan.takes().size(), count[0], Files.size(events), plan.durationUs());
    }

    private static void writeLabels(Path labels, RecordingPlan plan) throws IOException {
        StringBuilder csv = new StringBuilder("class,startTime_usec,endTime_usec\n");
        for (Take t : plan.takes()) {
            csv.append(t.gesture().classId()).append(',').append(t.startUs()).append(',').append(t.endUs()).append('\n');
        }
        Path partial = labels.resolveSibling(labels.getFileName() + ".part");
        try {
            Files.writeString(partial, csv);
            Files.move(partial, labels, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | UncheckedIOException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
    }
}
