package io.spikestream.model.train;

import java.lang.ref.Reference;
import java.lang.reflect.Field;
import java.nio.FloatBuffer;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Element access, in C order, to the host memory of a FLOAT or DOUBLE ND4J array, for the layers
 * that loop in Java (LIF, tdBN, AdamW). Reads and writes go straight to the native buffer: no
 * Java-side copy of a whole activation tensor, which at 64×64 input is tens of megabytes per
 * layer and step, and whose allocation and garbage collection cost more than the arithmetic.
 * Values travel as double; writing to a FLOAT array rounds to float. Threads may share a view
 * as long as they write disjoint elements.
 *
 * <p>The view holds its array, whose native memory ND4J frees when the array is collected; the
 * JIT may drop the view itself once a loop has hoisted its address. Code that loops over a view
 * ends with {@code Reference.reachabilityFence(view)}.
 */
final class HostBuffer {
    /**
     * Direct reads and writes of native memory for {@link #get} and {@link #set}: a direct NIO
     * buffer's per-element access pays a scope check on every call, which made per-element loops
     * several times slower than their arithmetic. Indices are checked against the length first.
     */
    private static final sun.misc.Unsafe UNSAFE = unsafe();

    private final INDArray array;
    /** The array's memory as floats, for the bulk copies; null for DOUBLE arrays. */
    private final FloatBuffer floats;
    private final long address;
    private final int length;

    private HostBuffer(INDArray array) {
        this.array = array;
        floats = array.dataType() == DataType.FLOAT ? array.data().asNioFloat() : null;
        address = array.data().address();
        length = (int) array.length();
        if (array.data().length() < length) {
            throw new IllegalArgumentException("buffer shorter than its array: " + array.shapeInfoToString());
        }
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Whether {@code x} owns its whole buffer in C order from element 0. */
    private static boolean isWhole(INDArray x) {
        return !x.isView() && x.ordering() == 'c' && x.offset() == 0;
    }

    /** A view of {@code x}, or of a C-order copy where {@code x} is a view, strided or of another type. */
    static HostBuffer of(INDArray x) {
        INDArray c = isWhole(x) ? x : x.dup('c');
        if (c.dataType() != DataType.FLOAT && c.dataType() != DataType.DOUBLE) {
            c = c.castTo(DataType.DOUBLE);
        }
        return new HostBuffer(c);
    }

    /**
     * A view that writes into {@code x} itself: {@code x} must be a whole C-order FLOAT or DOUBLE
     * array (parameters, optimizer moments and running statistics are).
     */
    static HostBuffer writable(INDArray x) {
        if (!isWhole(x) || x.dataType() != DataType.FLOAT && x.dataType() != DataType.DOUBLE) {
            throw new IllegalArgumentException("not a whole C-order FLOAT or DOUBLE array: " + x.shapeInfoToString());
        }
        return new HostBuffer(x);
    }

    /**
     * {@code previous} when it is a whole C-order array of this type and shape, else a new
     * uninitialised one. Layers keep their output and input-gradient tensors from one step to
     * the next this way: every element is overwritten each step, and allocating tens of
     * megabytes per layer and step (ND4J zero-fills native memory) costs as much as a layer's
     * arithmetic. The previous step's tensor must no longer be needed, which holds for
     * activations and gradients that live from a forward pass to its backward pass.
     */
    static INDArray reuse(INDArray previous, DataType type, long[] shape) {
        if (previous != null && previous.dataType() == type && isWhole(previous)
                && java.util.Arrays.equals(previous.shape(), shape)) {
            return previous;
        }
        return Nd4j.createUninitialized(type, shape, 'c');
    }

    /** A new C-order FLOAT array holding {@code values}, copied in bulk. */
    static INDArray floats(float[] values, long[] shape) {
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        out.data().asNioFloat().put(values, 0, values.length);
        return out;
    }

    /** {@code x} as {@code type}: the layers hand back tensors of the type they were given. */
    static INDArray as(INDArray x, DataType type) {
        return x.dataType() == type ? x : x.castTo(type);
    }

    /** The array this view reads and writes. */
    INDArray array() {
        return array;
    }

    boolean isFloat() {
        return floats != null;
    }

    int length() {
        return length;
    }

    double get(int i) {
        Objects.checkIndex(i, length);
        return floats != null ? UNSAFE.getFloat(address + ((long) i << 2)) : UNSAFE.getDouble(address + ((long) i << 3));
    }

    void set(int i, double v) {
        Objects.checkIndex(i, length);
        if (floats != null) {
            UNSAFE.putFloat(address + ((long) i << 2), (float) v);
        } else {
            UNSAFE.putDouble(address + ((long) i << 3), v);
        }
    }

    /** Copies elements {@code [from, from + len)} of a FLOAT array into {@code dst[0, len)}. */
    void readFloats(int from, float[] dst, int len) {
        floats.get(from, dst, 0, len);
    }

    /** Writes {@code src[0, len)} to elements {@code [from, from + len)} of a FLOAT array. */
    void writeFloats(int from, float[] src, int len) {
        floats.put(from, src, 0, len);
    }

    /** All elements as doubles (small arrays: per-channel statistics and parameters). */
    double[] toDoubles() {
        double[] out = new double[length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = get(i);
        }
        Reference.reachabilityFence(this);
        return out;
    }

    /** Overwrites every element (small arrays). */
    void setAll(double[] values) {
        for (int i = 0; i < values.length; i++) {
            set(i, values[i]);
        }
        Reference.reachabilityFence(this);
    }
}
