package io.spikestream.cli;

import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.model.train.TrainingData;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.framing.Window;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Labelled training samples from recordings in the DVS128 Gesture layout
 * ({@code userNN_<lighting>.aedat} with {@code userNN_<lighting>_labels.csv} rows
 * {@code class,startTime_usec,endTime_usec}, classes 1..K): every recording is framed by the
 * streaming job's {@link Framer} and each window lying wholly inside one labelled take becomes
 * a sample of class {@code class - 1}. Frames are kept as event counts in bytes (saturating at
 * 255) to hold thousands of windows in memory.
 */
final class GestureSamples implements TrainingData {
    private static final Pattern RECORDING = Pattern.compile("user(\\d+)_(.+)\\.aedat");
    /** Longest label file accepted (a DVS128 Gesture file has a dozen rows). */
    private static final long MAX_LABEL_BYTES = 1 << 20;

    /** One labelled take: class id (1-based) and its time span in µs. */
    record Take(int classId, long startUs, long endUs) {}

    /** A recording with its user number and label file. */
    record Recording(Path events, Path labels, int user, String lighting) {}

    private final FramingSpec spec;
    private final List<byte[]> samples = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();

    private GestureSamples(FramingSpec spec) {
        this.spec = spec;
    }

    /** Recordings of {@code dir} whose user is in {@code users} (and lighting in {@code lightings}, if given), by name. */
    static List<Recording> find(Path dir, Set<Integer> users, Set<String> lightings) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException(dir + ": not a directory");
        }
        List<Recording> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                Matcher m = RECORDING.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                int user = Integer.parseInt(m.group(1));
                String lighting = m.group(2);
                if (!users.contains(user) || (lightings != null && !lightings.contains(lighting))) {
                    continue;
                }
                Path labels = dir.resolve("user" + m.group(1) + "_" + lighting + "_labels.csv");
                if (!Files.isRegularFile(labels)) {
                    throw new IOException(p + ": no label file " + labels.getFileName());
                }
                out.add(new Recording(p, labels, user, lighting));
            }
        }
        return out;
    }

    /** Parses a label file; errors name the file and line. */
    static List<Take> readLabels(Path csv, int classes) throws IOException {
        if (Files.size(csv) > MAX_LABEL_BYTES) {
            throw new IOException(csv + ": " + Files.size(csv) + " bytes, too large for a label file");
        }
        List<String> lines = Files.readAllLines(csv);
        List<Take> takes = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || (i == 0 && line.startsWith("class"))) {
                continue;
            }
            String[] f = line.split(",");
            try {
                if (f.length != 3) {
                    throw new NumberFormatException("expected 3 fields class,startTime_usec,endTime_usec, got " + f.length);
                }
                int c = Integer.parseInt(f[0].strip());
                long start = Long.parseLong(f[1].strip());
                long end = Long.parseLong(f[2].strip());
                if (c < 1 || c > classes) {
                    throw new NumberFormatException("class " + c + " outside 1.." + classes);
                }
                if (end <= start) {
                    throw new NumberFormatException("take ends at " + end + " before it starts at " + start);
                }
                takes.add(new Take(c, start, end));
            } catch (NumberFormatException e) {
                throw new IOException(csv + " line " + (i + 1) + ": " + e.getMessage());
            }
        }
        return takes;
    }

    /** Frames every recording with {@code spec} and keeps the windows inside a labelled take. */
    static GestureSamples load(List<Recording> recordings, FramingSpec spec, int classes, Consumer<String> progress)
            throws IOException {
        GestureSamples out = new GestureSamples(spec);
        int done = 0;
        for (Recording r : recordings) {
            List<Take> takes = readLabels(r.labels(), classes);
            try (EventReader reader = Recordings.open(r.events())) {
                Framer.forEachWindow(reader, spec, r.events().getFileName().toString(), w -> out.addIfLabelled(w, takes));
            }
            done++;
            if (progress != null) {
                progress.accept(String.format("framed %d/%d recordings, %d samples", done, recordings.size(), out.size()));
            }
        }
        return out;
    }

    private void addIfLabelled(Window w, List<Take> takes) {
        for (Take t : takes) {
            if (w.startUs() >= t.startUs() && w.endUs() <= t.endUs()) {
                float[] f = w.frames();
                byte[] b = new byte[f.length];
                for (int i = 0; i < f.length; i++) {
                    b[i] = (byte) Math.min(255, Math.round(f[i]));
                }
                samples.add(b);
                labels.add(t.classId() - 1);
                return;
            }
        }
    }

    FramingSpec spec() {
        return spec;
    }

    /** Samples per class index. */
    int[] classCounts(int classes) {
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
