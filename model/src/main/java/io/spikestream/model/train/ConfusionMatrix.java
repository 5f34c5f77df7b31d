package io.spikestream.model.train;

/**
 * How a network did on a labelled set: the confusion matrix ({@code confusion[label][predicted]})
 * and the mean loss over the samples. (The streaming job's per-take scoring against labelled spans
 * is {@code io.spikestream.pipeline.job.Evaluation}.)
 */
public record ConfusionMatrix(long[][] confusion, double meanLoss) {
    public int classes() {
        return confusion.length;
    }

    public long samples() {
        long n = 0;
        for (long[] row : confusion) {
            for (long c : row) {
                n += c;
            }
        }
        return n;
    }

    public double accuracy() {
        long right = 0;
        for (int i = 0; i < confusion.length; i++) {
            right += confusion[i][i];
        }
        long n = samples();
        return n == 0 ? Double.NaN : (double) right / n;
    }

    /** Recall of class {@code c} (NaN when the class has no samples). */
    public double classAccuracy(int c) {
        long n = 0;
        for (long v : confusion[c]) {
            n += v;
        }
        return n == 0 ? Double.NaN : (double) confusion[c][c] / n;
    }
}
