package io.spikestream.pipeline.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Per-sample accuracy of windowed classifications against labelled spans: a sample's decision is
 * the class with the highest mean probability over the windows that lie inside its span (or, when
 * the span is shorter than a window, that overlap it). Also a confusion matrix.
 */
public final class Evaluation {
    private final List<String> classNames;
    private final long[][] confusion;
    private long samples;
    private long correct;
    private long unclassified;

    /** A labelled span of one sensor's recording. */
    public record Sample(String sensorId, int classIndex, long startUs, long endUs) {}

    public Evaluation(List<String> classNames) {
        this.classNames = List.copyOf(classNames);
        this.confusion = new long[classNames.size()][classNames.size()];
    }

    /**
     * Scores one sample against the sensor's classifications.
     *
     * @return the decided class, or -1 when no window covers the sample
     */
    public int add(Sample sample, List<ClassificationResult> sensorWindows) {
        if (sample.classIndex() < 0 || sample.classIndex() >= classNames.size()) {
            throw new IllegalArgumentException("label class " + sample.classIndex() + " outside the model's "
                    + classNames.size() + " classes");
        }
        List<ClassificationResult> inside = new ArrayList<>();
        for (ClassificationResult c : sensorWindows) {
            if (c.windowStartUs >= sample.startUs() && c.windowEndUs <= sample.endUs()) {
                inside.add(c);
            }
        }
        if (inside.isEmpty()) {
            for (ClassificationResult c : sensorWindows) {
                if (c.windowStartUs < sample.endUs() && c.windowEndUs > sample.startUs()) {
                    inside.add(c);
                }
            }
        }
        samples++;
        if (inside.isEmpty()) {
            unclassified++;
            return -1;
        }
        float[] mean = new float[classNames.size()];
        for (ClassificationResult c : inside) {
            for (int i = 0; i < mean.length; i++) {
                mean[i] += c.probabilities[i] / inside.size();
            }
        }
        int decision = Probabilities.argmax(mean);
        confusion[sample.classIndex()][decision]++;
        if (decision == sample.classIndex()) {
            correct++;
        }
        return decision;
    }

    public long samples() {
        return samples;
    }

    public long correct() {
        return correct;
    }

    /** Samples no window covered (counted as wrong). */
    public long unclassified() {
        return unclassified;
    }

    public double accuracy() {
        return samples == 0 ? Double.NaN : (double) correct / samples;
    }

    /** {@code [true class][decided class]} counts. */
    public long[][] confusion() {
        long[][] c = new long[confusion.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = confusion[i].clone();
        }
        return c;
    }

    /** The confusion matrix as text: rows are true classes, columns decisions (numbered as in the legend). */
    public String confusionTable() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-24s", "true \\ decided"));
        for (int j = 0; j < classNames.size(); j++) {
            b.append(String.format(Locale.ROOT, "%5d", j));
        }
        b.append('\n');
        for (int i = 0; i < classNames.size(); i++) {
            String name = i + " " + classNames.get(i);
            b.append(String.format(Locale.ROOT, "%-24s", name.length() > 23 ? name.substring(0, 23) : name));
            for (int j = 0; j < classNames.size(); j++) {
                b.append(String.format(Locale.ROOT, "%5d", confusion[i][j]));
            }
            b.append('\n');
        }
        return b.toString();
    }
}
