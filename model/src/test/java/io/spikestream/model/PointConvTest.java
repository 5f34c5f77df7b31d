package io.spikestream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link PointConv} computes every output as {@code (0 + W[o,0]·x[0] + W[o,1]·x[1] + ...) + b[o]},
 * channels ascending, in both of its loop orders (over pixels for large maps, over output channels
 * for maps with fewer pixels than channels), whatever the number of parts: compared bit for bit
 * with that sum written out here.
 */
class PointConvTest {

    @ParameterizedTest
    @CsvSource({
        // in, out, size, stride, parts: 8x8 -> 4x4 = 16 pixels against 32 channels (per pixel), and the other way round
        "16, 32, 8, 2, 1", "16, 32, 8, 2, 2", "16, 9, 8, 2, 1", "8, 16, 16, 1, 2", "64, 128, 4, 2, 1", "64, 128, 4, 2, 2"})
    void everyOutputIsTheSameSumInTheSameOrderInBothLoopOrders(int in, int out, int size, int stride, int parts) {
        SplittableRandom rnd = new SplittableRandom(in * 31L + out);
        int frames = 3;
        double[] w = new double[out * in];
        double[] b = new double[out];
        double[] x = new double[frames * in * size * size];
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextDouble() - 0.5;
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = rnd.nextDouble() - 0.5;
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextDouble() * 2 - 0.5;
        }
        int so = (size - 1) / stride + 1;
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            PointConv conv = new PointConv(Nd4j.create(w, new long[] {out, in, 1, 1}, 'c').castTo(type),
                    Nd4j.create(b, new long[] {out}, 'c').castTo(type), stride);
            INDArray input = Nd4j.create(x, new long[] {frames, in, size, size}, 'c').castTo(type);
            INDArray output = Nd4j.create(type, frames, out, so, so);
            conv.apply(input, output, parts);
            if (type == DataType.FLOAT) {
                float[] expected = new float[frames * out * so * so];
                for (int f = 0; f < frames; f++) {
                    for (int o = 0; o < out; o++) {
                        for (int oy = 0; oy < so; oy++) {
                            for (int ox = 0; ox < so; ox++) {
                                float sum = 0f;
                                for (int c = 0; c < in; c++) {
                                    sum += (float) w[o * in + c] * (float) x[((f * in + c) * size + oy * stride) * size + ox * stride];
                                }
                                expected[((f * out + o) * so + oy) * so + ox] = sum + (float) b[o];
                            }
                        }
                    }
                }
                assertArrayEquals(expected, output.data().asFloat(), type + " " + in + "->" + out);
            } else {
                double[] expected = new double[frames * out * so * so];
                for (int f = 0; f < frames; f++) {
                    for (int o = 0; o < out; o++) {
                        for (int oy = 0; oy < so; oy++) {
                            for (int ox = 0; ox < so; ox++) {
                                double sum = 0;
                                for (int c = 0; c < in; c++) {
                                    sum += w[o * in + c] * x[((f * in + c) * size + oy * stride) * size + ox * stride];
                                }
                                expected[((f * out + o) * so + oy) * so + ox] = sum + b[o];
                            }
                        }
                    }
                }
                assertArrayEquals(expected, output.data().asDouble(), type + " " + in + "->" + out);
            }
        }
    }
}
