package io.spikestream.pipeline.dataset;

import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.connectors.recording.gesture.GestureDataset;
import io.spikestream.connectors.recording.gesture.GestureLabel;
import io.spikestream.connectors.recording.gesture.GestureLabels;
import io.spikestream.connectors.recording.gesture.GestureRecording;
import io.spikestream.connectors.recording.gesture.Warnings;
import io.spikestream.model.train.TrainingData;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.framing.Window;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Labelled training samples from recordings in the DVS128 Gesture layout
 * ({@code userNN_<lighting>.aedat} with {@code userNN_<lighting>_labels.csv} rows
 * {@code class,startTime_usec,endTime_usec}, classes 1..K): every recording is framed by the
 * streaming job's {@link Framer} and each window lying wholly inside one labelled take becomes
 * a sample of class {@code class - 1}. Frames are kept as event counts in bytes (saturating at
 * 255) to hold thousands of windows in memory. Used by {@code train} and {@code evaluate}.
 */
public final class GestureSamples implements TrainingData {
    private final FramingSpec spec;
    private final List<byte[]> samples = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();

    private GestureSamples(FramingSpec spec) {
        this.spec = spec;
    }

    /** Recordings of {@code dir} whose user is in {@code users} (and lighting in {@code lightings}, if given). */
    public static List<GestureRecording> find(Path dir, Set<Integer> users, Set<String> lightings, Warnings warnings)
            throws IOException {
        return new GestureDataset(dir, warnings).recordings().stream()
                .filter(r -> users.contains(r.user()) && (lightings == null || lightings.contains(r.lighting())))
                .toList();
    }

    /** Frames every recording with {@code spec} and keeps the windows inside a labelled take. */
    public static GestureSamples load(List<GestureRecording> recordings, FramingSpec spec, Warnings warnings,
            Consumer<String> progress) throws IOException {
        GestureSamples out = new GestureSamples(spec);
        int done = 0;
        for (GestureRecording r : recordings) {
            List<GestureLabel> labels = GestureLabels.read(r.labels(), warnings);
            try (EventReader reader = Recordings.open(r.aedat())) {
                Framer.forEachWindow(reader, spec, r.baseName(), w -> out.addIfLabelled(w, labels));
            }
            done++;
            if (progress != null) {
                progress.accept(String.format("framed %d/%d recordings, %d samples", done, recordings.size(), out.size()));
            }
        }
        return out;
    }

    private void addIfLabelled(Window w, List<GestureLabel> labels) {
        for (GestureLabel t : labels) {
            if (w.startUs() >= t.startUs() && w.endUs() <= t.endUs()) {
                float[] f = w.frames();
                byte[] b = new byte[f.length];
                for (int i = 0; i < f.length; i++) {
                    b[i] = (byte) Math.min(255, Math.round(f[i]));
                }
                samples.add(b);
                this.labels.add(t.classIndex());
                return;
            }
        }
    }

    public FramingSpec spec() {
        return spec;
    }

    /** Samples per class index. */
    public int[] classCounts(int classes) {
        int[] n = new int[classes];
        for (int l : labels) {
            n[l]++;
        }
        return n;
    }

    @Override
    public int size() {
        return samples.size();
    }

    @Override
    public int label(int index) {
        return labels.get(index);
    }

    @Override
    public float[] frames(int index) {
        byte[] b = samples.get(index);
        float[] f = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            f[i] = b[i] & 0xff;
        }
        return f;
    }

    @Override
    public int timesteps() {
        return spec.bins();
    }

    @Override
    public int channels() {
        return 2;
    }

    @Override
    public int height() {
        return spec.height();
    }

    @Override
    public int width() {
        return spec.width();
    }
}
