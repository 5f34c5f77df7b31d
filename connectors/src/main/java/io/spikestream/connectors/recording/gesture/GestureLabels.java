package io.spikestream.connectors.recording.gesture;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads and writes DVS128 Gesture label files: the header {@code class,startTime_usec,endTime_usec}
 * then one row per gesture, class 1–11. A malformed row (wrong field count, not integers, class
 * outside 1–11, end not after start) is reported to {@link Warnings} with file and line and
 * skipped; the other rows are kept.
 */
public final class GestureLabels {
    public static final String HEADER = "class,startTime_usec,endTime_usec";
    /** A label file of a one-hour recording has a few hundred rows; longer lines are not labels. */
    private static final int MAX_LINE = 1024;

    private GestureLabels() {}

    /** The valid labels of the file, sorted by start time. */
    public static List<GestureLabel> read(Path file, Warnings warnings) throws IOException {
        List<GestureLabel> out = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long number = 0;
            while ((line = r.readLine()) != null) {
                number++;
                String row = line.strip();
                if (row.isEmpty() || (number == 1 && row.equals(HEADER))) {
                    continue;
                }
                if (row.length() > MAX_LINE) {
                    warnings.warn(file, number, "row longer than " + MAX_LINE + " characters, skipped");
                    continue;
                }
                String[] f = row.split(",", -1);
                if (f.length != 3) {
                    warnings.warn(file, number, "expected 3 fields class,startTime_usec,endTime_usec, got " + f.length + ": '" + row + "', skipped");
                    continue;
                }
                try {
                    int cls = Integer.parseInt(f[0].strip());
                    long start = Long.parseLong(f[1].strip());
                    long end = Long.parseLong(f[2].strip());
                    if (cls < 1 || cls > GestureClasses.COUNT) {
                        warnings.warn(file, number, "class " + cls + " outside 1-" + GestureClasses.COUNT + ", skipped");
                        continue;
                    }
                    out.add(new GestureLabel(cls - 1, start, end));
                } catch (NumberFormatException e) {
                    warnings.warn(file, number, "not integers: '" + row + "', skipped");
                } catch (IllegalArgumentException e) {
                    warnings.warn(file, number, e.getMessage() + ", skipped");
                }
            }
        }
        out.sort(Comparator.comparingLong(GestureLabel::startUs));
        return out;
    }

    /** Writes a label file (classes stored 1-based, as the dataset does). */
    public static void write(Path file, List<GestureLabel> labels) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(HEADER);
            w.write('\n');
            for (GestureLabel l : labels) {
                w.write((l.classIndex() + 1) + "," + l.startUs() + "," + l.endUs() + "\n");
            }
        }
    }
}
