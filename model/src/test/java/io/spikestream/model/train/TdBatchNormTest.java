package io.spikestream.model.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TdBatchNormTest {
    static INDArray random(long seed, long... shape) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] v = new double[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextGaussian() * 2 + 0.5;
        }
        return Nd4j.create(v, shape, DataType.DOUBLE);
    }

    static double objective(TdBatchNorm bn, INDArray x, INDArray r) {
        return bn.forward(x, BnMode.TRAIN).mul(r).sumNumber().doubleValue();
    }

    @Test
    void trainingModeBackwardMatchesCentralDifferences() {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        TdBatchNorm bn = new TdBatchNorm(store, "bn", 3, 1e-5);
        bn.weight().value().assign(random(1, 3));
        bn.bias().value().assign(random(2, 3));
        INDArray x = random(3, 4, 3, 2, 2);
        INDArray r = random(4, 4, 3, 2, 2);
        bn.forward(x, BnMode.TRAIN);
        INDArray gx = bn.backward(r);
        double h = 1e-6;
        for (int i = 0; i < x.length(); i += 5) {
            double orig = x.getDouble(i);
            x.putScalar(i, orig + h);
            double up = objective(bn, x, r);
            x.putScalar(i, orig - h);
            double down = objective(bn, x, r);
            x.putScalar(i, orig);
            assertEquals((up - down) / (2 * h), gx.getDouble(i), 1e-6, "dx[" + i + "]");
        }
        bn.forward(x, BnMode.TRAIN);
        bn.backward(r);
        INDArray gw = bn.weight().grad().dup();
        for (int c = 0; c < 3; c++) {
            INDArray w = bn.weight().value();
            double orig = w.getDouble(c);
            w.putScalar(c, orig + h);
            double up = objective(bn, x, r);
            w.putScalar(c, orig - h);
            double down = objective(bn, x, r);
            w.putScalar(c, orig);
            assertEquals((up - down) / (2 * h), gw.getDouble(c), 1e-6, "dgamma[" + c + "]");
        }
    }

    @Test
    void runningStatisticsUseMomentumPointOneAndTheUnbiasedVariance() {
        ParameterStore store = new ParameterStore(DataType.DOUBLE);
        TdBatchNorm bn = new TdBatchNorm(store, "bn", 1, 1e-5);
        // one channel, values 1..4 over (T*N, H, W): mean 2.5, unbiased variance 5/3
        INDArray x = Nd4j.create(new double[] {1, 2, 3, 4}, new long[] {2, 1, 1, 2}, DataType.DOUBLE);
        bn.forward(x, BnMode.TRAIN);
        assertEquals(0.9 * 0 + 0.1 * 2.5, store.buffers().get("bn.running_mean").getDouble(0), 1e-15);
        assertEquals(0.9 * 1 + 0.1 * (5.0 / 3.0), store.buffers().get("bn.running_var").getDouble(0), 1e-15);
        assertEquals(1L, store.buffers().get("bn.num_batches_tracked").getLong(0));
    }
}
