package io.spikestream.pipeline.job;

/** Softmax, argmax and the running mean used for the smoothed decision. */
public final class Probabilities {
    private Probabilities() {
    }

    /** Numerically stable softmax (the maximum is subtracted first). */
    public static float[] softmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        float[] p = new float[logits.length];
        for (int i = 0; i < logits.length; i++) {
            p[i] = (float) (e[i] / sum);
        }
        return p;
    }

    /** Index of the largest value; the first one on ties. */
    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Appends {@code p} to a history of at most {@code m} vectors (stored back to back, oldest
     * first) and returns the new history.
     */
    public static float[] remember(float[] history, float[] p, int m) {
        int n = p.length;
        int kept = history == null || history.length % n != 0 ? 0 : Math.min(history.length / n, m - 1);
        float[] out = new float[(kept + 1) * n];
        if (kept > 0) {
            System.arraycopy(history, history.length - kept * n, out, 0, kept * n);
        }
        System.arraycopy(p, 0, out, kept * n, n);
        return out;
    }

    /** Mean of the vectors in a history built by {@link #remember}. */
    public static float[] mean(float[] history, int n) {
        int count = history.length / n;
        float[] m = new float[n];
        for (int k = 0; k < count; k++) {
            for (int i = 0; i < n; i++) {
                m[i] += history[k * n + i];
            }
        }
        for (int i = 0; i < n; i++) {
            m[i] /= count;
        }
        return m;
    }
}
