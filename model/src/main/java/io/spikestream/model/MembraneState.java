package io.spikestream.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The membrane state of one sensor: {@code (u, s)} of every LIF layer after the last processed
 * timestep, carried from one window to the next. Fresh state is all zeros. The arrays stay ND4J
 * arrays (on the device with a GPU backend) and are updated in place by
 * {@link MsResNet#forward}; only {@link #toBytes()} copies them to the host.
 *
 * <p>Byte form (version 1, little-endian): magic {@code "MSST"}, version byte, precision byte
 * (4 = float32, 8 = float64), layer count (u16), per layer C, H, W (u16 each), then per layer
 * the potentials {@code u} (raw IEEE bits, so restoring is bit-exact) and the spikes {@code s}
 * packed 8 to a byte. Not thread-safe.
 */
public final class MembraneState {
    private static final int MAGIC = 0x5453534D; // "MSST" read little-endian
    private static final byte VERSION = 1;
    private static final int MAX_LAYERS = 4096;

    private final Precision precision;
    private final int[][] shapes; // per layer {C, H, W}
    private final INDArray[] u;
    private final INDArray[] s;

    private MembraneState(Precision precision, int[][] shapes) {
        this.precision = precision;
        this.shapes = shapes;
        this.u = new INDArray[shapes.length];
        this.s = new INDArray[shapes.length];
        for (int l = 0; l < shapes.length; l++) {
            long[] shape = {1, shapes[l][0], shapes[l][1], shapes[l][2]};
            u[l] = Nd4j.zeros(precision.dataType(), shape);
            s[l] = Nd4j.zeros(precision.dataType(), shape);
        }
    }

    /** A fresh (all zero) state for LIF layers of the given {@code {C, H, W}} shapes. */
    public static MembraneState zeros(Precision precision, int[][] shapes) {
        int[][] copy = new int[shapes.length][];
        for (int l = 0; l < shapes.length; l++) {
            if (shapes[l].length != 3 || Arrays.stream(shapes[l]).anyMatch(d -> d <= 0 || d > 0xffff)) {
                throw new IllegalArgumentException("layer " + l + ": shape must be {C, H, W} with sizes in 1..65535, was "
                        + Arrays.toString(shapes[l]));
            }
            copy[l] = shapes[l].clone();
        }
        return new MembraneState(precision, copy);
    }

    public Precision precision() {
        return precision;
    }

    public int layers() {
        return shapes.length;
    }

    /** {@code {C, H, W}} of layer {@code l}. */
    public int[] shape(int l) {
        return shapes[l].clone();
    }

    /** Membrane potentials of layer {@code l}, {@code [1, C, H, W]} (live, not a copy). */
    public INDArray u(int l) {
        return u[l];
    }

    /** Last spikes (0 or 1) of layer {@code l}, {@code [1, C, H, W]} (live, not a copy). */
    public INDArray s(int l) {
        return s[l];
    }

    /** Back to the fresh state (a sensor that restarts, or a new recording). */
    public void reset() {
        for (int l = 0; l < shapes.length; l++) {
            u[l].assign(0);
            s[l].assign(0);
        }
    }

    /** An independent copy. */
    public MembraneState copy() {
        MembraneState c = new MembraneState(precision, shapes);
        for (int l = 0; l < shapes.length; l++) {
            c.u[l].assign(u[l]);
            c.s[l].assign(s[l]);
        }
        return c;
    }

    /** Whether {@code other} has the same layer shapes (so one can replace the other). */
    public boolean sameShapes(MembraneState other) {
        return Arrays.deepEquals(shapes, other.shapes);
    }

    int[][] shapes() {
        return shapes;
    }

    /** Size of {@link #toBytes()}: the state of one sensor in Flink's keyed state. */
    public int serializedBytes() {
        long total = 4 + 1 + 1 + 2 + 6L * shapes.length;
        for (int[] sh : shapes) {
            long n = (long) sh[0] * sh[1] * sh[2];
            total += n * precision.bytes() + (n + 7) / 8;
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalStateException("membrane state of " + total + " bytes does not fit one byte array");
        }
        return (int) total;
    }

    /** The compact, versioned byte form (see the class comment). */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(serializedBytes()).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).put(VERSION).put((byte) precision.bytes()).putShort((short) shapes.length);
        for (int[] sh : shapes) {
            b.putShort((short) sh[0]).putShort((short) sh[1]).putShort((short) sh[2]);
        }
        for (int l = 0; l < shapes.length; l++) {
            INDArray ul = u[l].dup('c');
            if (precision == Precision.F32) {
                float[] v = ul.data().asFloat();
                b.asFloatBuffer().put(v);
                b.position(b.position() + v.length * 4);
            } else {
                double[] v = ul.data().asDouble();
                b.asDoubleBuffer().put(v);
                b.position(b.position() + v.length * 8);
            }
            double[] spikes = s[l].dup('c').castTo(DataType.DOUBLE).data().asDouble();
            int acc = 0;
            for (int i = 0; i < spikes.length; i++) {
                if (spikes[i] != 0) {
                    acc |= 1 << (i & 7);
                }
                if ((i & 7) == 7) {
                    b.put((byte) acc);
                    acc = 0;
                }
            }
            if ((spikes.length & 7) != 0) {
                b.put((byte) acc);
            }
        }
        return b.array();
    }

    /**
     * Restores a state from {@link #toBytes()}. Every size is checked against the bytes present
     * before anything is allocated; errors name the byte offset.
     */
    public static MembraneState fromBytes(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        need(b, 8, "header");
        if (b.getInt() != MAGIC) {
            throw bad(0, "not a membrane state (magic \"MSST\" missing)");
        }
        byte version = b.get();
        if (version != VERSION) {
            throw bad(4, "unsupported membrane state version " + version + " (this build reads " + VERSION + ")");
        }
        byte width = b.get();
        Precision p = width == 4 ? Precision.F32 : width == 8 ? Precision.F64 : null;
        if (p == null) {
            throw bad(5, "element size " + width + " is neither 4 (float32) nor 8 (float64)");
        }
        int layers = Short.toUnsignedInt(b.getShort());
        if (layers == 0 || layers > MAX_LAYERS) {
            throw bad(6, "layer count " + layers + " is out of range 1.." + MAX_LAYERS);
        }
        need(b, 6L * layers, "layer shapes");
        int[][] shapes = new int[layers][3];
        long expected = 0;
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < 3; i++) {
                shapes[l][i] = Short.toUnsignedInt(b.getShort());
                if (shapes[l][i] == 0) {
                    throw bad(b.position() - 2, "layer " + l + " has a zero size");
                }
            }
            long n = (long) shapes[l][0] * shapes[l][1] * shapes[l][2];
            expected += n * p.bytes() + (n + 7) / 8;
        }
        if (expected != b.remaining()) {
            throw bad(b.position(), "layer shapes need " + expected + " bytes of data but " + b.remaining() + " follow");
        }
        MembraneState st = new MembraneState(p, shapes);
        for (int l = 0; l < layers; l++) {
            int n = shapes[l][0] * shapes[l][1] * shapes[l][2];
            long[] shape = {1, shapes[l][0], shapes[l][1], shapes[l][2]};
            if (p == Precision.F32) {
                float[] v = new float[n];
                FloatBuffer fb = b.asFloatBuffer();
                fb.get(v);
                b.position(b.position() + n * 4);
                st.u[l].assign(Nd4j.create(v, shape, 'c'));
            } else {
                double[] v = new double[n];
                DoubleBuffer db = b.asDoubleBuffer();
                db.get(v);
                b.position(b.position() + n * 8);
                st.u[l].assign(Nd4j.create(v, shape, 'c'));
            }
            double[] spikes = new double[n];
            for (int i = 0; i < n; i += 8) {
                int bits = b.get() & 0xff;
                for (int j = 0; j < 8 && i + j < n; j++) {
                    spikes[i + j] = (bits >>> j) & 1;
                }
            }
            st.s[l].assign(Nd4j.create(spikes, shape, 'c').castTo(p.dataType()));
        }
        return st;
    }

    private static void need(ByteBuffer b, long n, String what) {
        if (b.remaining() < n) {
            throw bad(b.position(), "truncated " + what + ": need " + n + " bytes, " + b.remaining() + " left");
        }
    }

    private static IllegalArgumentException bad(int offset, String problem) {
        return new IllegalArgumentException("membrane state at byte " + offset + ": " + problem);
    }
}
