package io.spikestream.model.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Softmax cross-entropy on the logits (the mean over T was taken by the head), averaged over
 * the N samples, with optional label smoothing as PyTorch defines it: the target is
 * {@code (1 - ε) · onehot + ε / K}. Computed in double precision whatever the network's type.
 */
public final class SoftmaxCrossEntropy {
    private final double smoothing;

    public SoftmaxCrossEntropy(double smoothing) {
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + smoothing);
        }
        this.smoothing = smoothing;
    }

    /** Loss value, d loss / d logits {@code [N, K]} (in the logits' type) and correct predictions. */
    public record Result(double loss, INDArray gradLogits, int correct) {}

    public Result evaluate(INDArray logits, int[] labels) {
        int n = (int) logits.size(0);
        int k = (int) logits.size(1);
        if (labels.length != n) {
            throw new IllegalArgumentException(labels.length + " labels for " + n + " samples");
        }
        double[][] z = logits.castTo(DataType.DOUBLE).toDoubleMatrix();
        double[][] grad = new double[n][k];
        double total = 0;
        int correct = 0;
        for (int i = 0; i < n; i++) {
            int y = labels[i];
            if (y < 0 || y >= k) {
                throw new IllegalArgumentException("label " + y + " of sample " + i + " outside [0, " + k + ")");
            }
            double max = Double.NEGATIVE_INFINITY;
            int argmax = 0;
            for (int j = 0; j < k; j++) {
                if (z[i][j] > max) {
                    max = z[i][j];
                    argmax = j;
                }
            }
            correct += argmax == y ? 1 : 0;
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(z[i][j] - max);
            }
            double logSum = Math.log(sum);
            double sampleLoss = 0;
            for (int j = 0; j < k; j++) {
                double logP = z[i][j] - max - logSum;
                double target = smoothing / k + (j == y ? 1 - smoothing : 0);
                sampleLoss -= target * logP;
                grad[i][j] = (Math.exp(logP) - target) / n;
            }
            total += sampleLoss;
        }
        return new Result(total / n, Nd4j.create(grad).castTo(logits.dataType()), correct);
    }
}
