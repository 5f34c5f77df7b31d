package io.spikestream.connectors.recording.gesture;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads and writes DVS128 Gesture label files: the header {@code class,startTime_usec,endTime_usec}
 * then one row per gesture, class 1–11. Rows are split by Commons CSV (quotes, CRLF, surrounding
 * spaces). A malformed row (wrong field count, not integers, class outside 1–11, end not after
 * start) is reported to {@link Warnings} with file and line and skipped; the other rows are kept.
 */
public final class GestureLabels {
    public static final String HEADER = "class,startTime_usec,endTime_usec";
    /** A label file of a one-hour recording has a few hundred rows; longer rows are not labels. */
    private static final int MAX_LINE = 1024;
    private static final CSVFormat FORMAT = CSVFormat.DEFAULT.builder()
            .setIgnoreEmptyLines(true)
            .setTrim(true)
            .get();

    private GestureLabels() {}

    /** The valid labels of the file, sorted by start time. */
    public static List<GestureLabel> read(Path file, Warnings warnings) throws IOException {
        List<GestureLabel> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = CSVParser.builder().setReader(r).setFormat(FORMAT).get()) {
            Iterator<CSVRecord> rows = parser.iterator();
            while (true) {
                CSVRecord row;
                try {
                    if (!rows.hasNext()) {
                        break;
                    }
                    row = rows.next();
                } catch (UncheckedIOException e) {
                    // an unclosed quote swallows the rest of the file: nothing more can be read
                    warnings.warn(file, parser.getCurrentLineNumber(), "malformed CSV (" + e.getCause().getMessage()
                            + "), rest of the file skipped");
                    break;
                }
                // the parser has consumed the row's line ending: its line is the count of lines read
                long line = row.getRecordNumber() == 1 && parser.getCurrentLineNumber() == 0 ? 1 : parser.getCurrentLineNumber();
                String text = String.join(",", row.values());
                if (row.getRecordNumber() == 1 && text.equals(HEADER)) {
                    continue;
                }
                if (text.length() > MAX_LINE) {
                    warnings.warn(file, line, "row longer than " + MAX_LINE + " characters, skipped");
                    continue;
                }
                if (row.size() != 3) {
                    warnings.warn(file, line, "expected 3 fields class,startTime_usec,endTime_usec, got " + row.size()
                            + ": '" + text + "', skipped");
                    continue;
                }
                try {
                    int cls = Integer.parseInt(row.get(0));
                    long start = Long.parseLong(row.get(1));
                    long end = Long.parseLong(row.get(2));
                    if (cls < 1 || cls > GestureClasses.COUNT) {
                        warnings.warn(file, line, "class " + cls + " outside 1-" + GestureClasses.COUNT + ", skipped");
                        continue;
                    }
                    out.add(new GestureLabel(cls - 1, start, end));
                } catch (NumberFormatException e) {
                    warnings.warn(file, line, "not integers: '" + text + "', skipped");
                } catch (IllegalArgumentException e) {
                    warnings.warn(file, line, e.getMessage() + ", skipped");
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
