package io.spikestream.connectors.recording.gesture;

import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.recording.EventWriter;
import io.spikestream.connectors.recording.RecordingFormat;
import io.spikestream.connectors.recording.Recordings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A folder in the DVS128 Gesture layout: {@code userNN_<lighting>.aedat} recordings (AEDAT 3.1)
 * next to their {@code userNN_<lighting>_labels.csv}. Lists the recordings, splits them by user
 * (train 1–23, test 24–29) and streams their labelled samples one recording at a time. Also
 * writes recordings in that layout ({@link #write}).
 */
public final class GestureDataset {
    private static final Pattern NAME = Pattern.compile("user(\\d{2})_(.+)\\.aedat");

    private final Path folder;
    private final Warnings warnings;

    public GestureDataset(Path folder, Warnings warnings) {
        this.folder = folder;
        this.warnings = warnings;
    }

    public GestureDataset(Path folder) {
        this(folder, Warnings.STDERR);
    }

    /** Every recording with a label file, ordered by user then lighting. */
    public List<GestureRecording> recordings() throws IOException {
        if (!Files.isDirectory(folder)) {
            throw new IOException(folder + ": not a folder of DVS128 Gesture recordings");
        }
        List<GestureRecording> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                int user = Integer.parseInt(m.group(1));
                Path labels = p.resolveSibling("user" + m.group(1) + "_" + m.group(2) + "_labels.csv");
                if (!Files.isRegularFile(labels)) {
                    warnings.warn(p, 0, "no label file " + labels.getFileName() + ", recording skipped");
                    continue;
                }
                if (user < 1 || user > GestureSplit.LAST_USER) {
                    warnings.warn(p, 0, "user " + user + " outside 1-" + GestureSplit.LAST_USER + ", recording skipped");
                    continue;
                }
                out.add(new GestureRecording(p, labels, user, m.group(2)));
            }
        }
        out.sort(Comparator.comparingInt(GestureRecording::user).thenComparing(GestureRecording::lighting));
        return out;
    }

    /** The recordings of one split. */
    public List<GestureRecording> recordings(GestureSplit split) throws IOException {
        return recordings().stream().filter(r -> r.split() == split).toList();
    }

    /** Receives samples; may throw to stop the iteration. */
    @FunctionalInterface
    public interface SampleConsumer {
        void accept(LabelledSample sample) throws IOException;
    }

    /** Streams every labelled sample of the split, one recording open at a time. */
    public void forEachSample(GestureSplit split, SampleConsumer consumer) throws IOException {
        for (GestureRecording rec : recordings(split)) {
            try (GestureSampleReader r = new GestureSampleReader(rec, warnings)) {
                for (LabelledSample s = r.next(); s != null; s = r.next()) {
                    consumer.accept(s);
                }
            }
        }
    }

    /** Produces the events of a recording into a writer. */
    @FunctionalInterface
    public interface EventSource {
        void writeTo(EventWriter writer) throws IOException;
    }

    /**
     * Writes {@code userNN_<lighting>.aedat} (AEDAT 3.1) from {@code events} and its label file
     * into {@code folder}.
     */
    public static GestureRecording write(Path folder, int user, String lighting, SensorGeometry geometry,
            List<GestureLabel> labels, EventSource events) throws IOException {
        GestureSplit.of(user);
        if (lighting.isEmpty() || lighting.contains("/") || lighting.contains(".")) {
            throw new IllegalArgumentException("lighting must be a plain name like 'led', not '" + lighting + "'");
        }
        String base = GestureRecording.baseName(user, lighting);
        Path aedat = folder.resolve(base + ".aedat");
        Path labelFile = folder.resolve(base + "_labels.csv");
        try (EventWriter w = Recordings.writer(aedat, RecordingFormat.AEDAT31, geometry)) {
            events.writeTo(w);
        }
        GestureLabels.write(labelFile, labels);
        return new GestureRecording(aedat, labelFile, user, lighting);
    }
}
