package io.spikestream.connectors.synth;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.recording.EventWriter;
import io.spikestream.connectors.recording.RecordingFormat;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.connectors.recording.gesture.GestureLabel;
import io.spikestream.connectors.recording.gesture.GestureLabels;
import io.spikestream.connectors.recording.gesture.GestureRecording;
import io.spikestream.connectors.recording.gesture.GestureSplit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Writes simulated recordings in the DVS128 Gesture layout: {@code userNN_<lighting>.aedat}
 * (AEDAT 3.1, 128×128) and {@code userNN_<lighting>_labels.csv} with one
 * {@code class,startTime_usec,endTime_usec} row per take, written with the dataset layout's own
 * writers ({@link Recordings}, {@link GestureLabels}) so that {@code GestureDataset} reads it
 * back. Each file is written under a temporary
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

    /**
     * Simulates one user (1 to 29, as the dataset layout allows) under one lighting and writes the
     * recording and its labels into {@code dir}.
     */
    public WrittenRecording write(Path dir, int user, Lighting lighting) throws IOException {
        GestureSplit.of(user);
        RecordingPlan plan = simulator.plan(user, lighting, repetitions, gestures);
        Path events = dir.resolve(plan.baseName() + ".aedat");
        Path labels = dir.resolve(plan.baseName() + "_labels.csv");
        long[] count = new long[1];
        Path partial = partial(events);
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
        List<GestureLabel> spans = plan.takes().stream()
                .map(t -> new GestureLabel(t.gesture().classIndex(), t.startUs(), t.endUs()))
                .toList();
        Path partialLabels = partial(labels);
        try {
            GestureLabels.write(partialLabels, spans);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partialLabels);
            throw e;
        }
        Files.move(partialLabels, labels, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new WrittenRecording(new GestureRecording(events, labels, user, lighting.name()),
                plan.takes().size(), count[0], Files.size(events), plan.durationUs());
    }

    /** The temporary name a file is written under; the dataset reader ignores it. */
    private static Path partial(Path file) {
        return file.resolveSibling(file.getFileName() + ".part");
    }
}
