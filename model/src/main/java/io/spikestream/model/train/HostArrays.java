package io.spikestream.model.train;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bulk copies between ND4J arrays and Java {@code double[]} for the layers that loop in Java.
 * ND4J's own {@code create(double[])} and {@code asDouble()} go element by element through
 * bounds-checked indexers; the NIO views of the native buffer copy in bulk.
 */
final class HostArrays {
    private HostArrays() {}

    /** The elements of {@code x} in C order, as doubles (FLOAT or DOUBLE arrays). */
    static double[] read(INDArray x) {
        INDArray c = x.isView() || x.ordering() != 'c' || x.offset() != 0 ? x.dup('c') : x;
        int n = (int) c.length();
        double[] out = new double[n];
        if (c.dataType() == DataType.DOUBLE) {
            DoubleBuffer b = c.data().asNioDouble();
            b.get(out, 0, n);
        } else if (c.dataType() == DataType.FLOAT) {
            FloatBuffer b = c.data().asNioFloat();
            float[] f = new float[n];
            b.get(f, 0, n);
            for (int i = 0; i < n; i++) {
                out[i] = f[i];
            }
        } else {
            return read(c.castTo(DataType.DOUBLE));
        }
        return out;
    }

    /** A new C-order array of {@code type} holding {@code values} (rounded for FLOAT). */
    static INDArray write(double[] values, long[] shape, DataType type) {
        INDArray out = Nd4j.createUninitialized(type, shape, 'c');
        if (type == DataType.DOUBLE) {
            out.data().asNioDouble().put(values, 0, values.length);
        } else if (type == DataType.FLOAT) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) values[i];
            }
            out.data().asNioFloat().put(f, 0, f.length);
        } else {
            return write(values, shape, DataType.DOUBLE).castTo(type);
        }
        return out;
    }

    /** A new C-order FLOAT array holding {@code values}. */
    static INDArray writeFloats(float[] values, long[] shape) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        out.data().asNioFloat().put(values, 0, values.length);
        return out;
    }
}
