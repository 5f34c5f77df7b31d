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
    /** Unpacked spikes of one layer while converting (reused: converting allocates nothing per call). */
    private float[] spikeScratch = new float[0];
    private static final boolean HOST_MEMORY = LifKernel.hostMemory();

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
            if (hostMemory()) {
                // host zeroing: assign(0) is an ND4J op whose native op objects are freed only at a GC
                int n = neurons(l);
                float[] zeros = spikeScratch(n);
                Arrays.fill(zeros, 0, n, 0f);
                if (precision == Precision.F32) {
                    floats(u[l], n).put(zeros, 0, n);
                    floats(s[l], n).put(zeros, 0, n);
                } else {
                    DoubleBuffer du = doubles(u[l], n);
                    DoubleBuffer ds = doubles(s[l], n);
                    for (int i = 0; i < n; i++) {
                        du.put(i, 0);
                        ds.put(i, 0);
                    }
                }
            } else {
                u[l].assign(0);
                s[l].assign(0);
            }
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
        long total = headerBytes(shapes.length);
        for (int[] sh : shapes) {
            long n = (long) sh[0] * sh[1] * sh[2];
            total += n * precision.bytes() + (n + 7) / 8;
        }
        if (total > Integer.MAX_VALUE) {
            throw new IllegalStateException("membrane state of " + total + " bytes does not fit one byte array");
        }
        return (int) total;
    }

    private static long headerBytes(int layers) {
        return 4 + 1 + 1 + 2 + 6L * layers;
    }

    /** The compact, versioned byte form (see the class comment). */
    public byte[] toBytes() {
        byte[] out = new byte[serializedBytes()];
        writeTo(out);
        return out;
    }

    /**
     * Writes the byte form into {@code out} (exactly {@link #serializedBytes()} long). On the CPU
     * backend this reads the arrays' host memory directly and allocates nothing native, so a
     * streaming job converting states on every window leaves no ND4J garbage behind.
     */
    public void writeTo(byte[] out) {
        if (out.length != serializedBytes()) {
            throw new IllegalArgumentException("membrane state needs " + serializedBytes() + " bytes, the array holds " + out.length);
        }
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).put(VERSION).put((byte) precision.bytes()).putShort((short) shapes.length);
        for (int[] sh : shapes) {
            b.putShort((short) sh[0]).putShort((short) sh[1]).putShort((short) sh[2]);
        }
        boolean host = hostMemory();
        for (int l = 0; l < shapes.length; l++) {
            int n = neurons(l);
            if (host && precision == Precision.F32) {
                b.asFloatBuffer().put(floats(u[l], n));
            } else if (host) {
                b.asDoubleBuffer().put(doubles(u[l], n));
            } else if (precision == Precision.F32) {
                b.asFloatBuffer().put(u[l].dup('c').data().asFloat());
            } else {
                b.asDoubleBuffer().put(u[l].dup('c').data().asDouble());
            }
            b.position(b.position() + n * precision.bytes());
            float[] spikes = spikeScratch(n);
            if (host && precision == Precision.F32) {
                floats(s[l], n).get(spikes, 0, n);
            } else if (host) {
                DoubleBuffer d = doubles(s[l], n);
                for (int i = 0; i < n; i++) {
                    spikes[i] = (float) d.get(i);
                }
            } else {
                float[] f = s[l].dup('c').castTo(DataType.FLOAT).data().asFloat();
                System.arraycopy(f, 0, spikes, 0, n);
            }
            for (int i = 0; i < n; i += 8) {
                int acc = 0;
                for (int j = 0; j < 8 && i + j < n; j++) {
                    if (spikes[i + j] != 0) {
                        acc |= 1 << j;
                    }
                }
                b.put((byte) acc);
            }
        }
    }

    /**
     * Restores a state from {@link #toBytes()}. Every size is checked against the bytes present
     * before anything is allocated; errors name the byte offset.
     */
    public static MembraneState fromBytes(byte[] bytes) {
        Header h = Header.read(bytes);
        MembraneState st = new MembraneState(h.precision, h.shapes);
        st.readData(h.data);
        return st;
    }

    /**
     * Overwrites this state with the one in {@code bytes} (the form of {@link #toBytes()}), in place:
     * no ND4J array is allocated on the CPU backend. The bytes must hold a state of this precision and
     * these layer shapes; the error says how they differ otherwise. This is how a classifier reuses one
     * state object per batch slot for every window instead of building one per sensor per window.
     */
    public void load(byte[] bytes) {
        Header h = Header.read(bytes);
        if (h.precision != precision) {
            throw new IllegalArgumentException("membrane state is " + h.precision + ", expected " + precision);
        }
        if (!Arrays.deepEquals(h.shapes, shapes)) {
            throw new IllegalArgumentException("membrane state has layer shapes " + Arrays.deepToString(h.shapes)
                    + ", expected " + Arrays.deepToString(shapes));
        }
        readData(h.data);
    }

    private void readData(ByteBuffer b) {
        boolean host = hostMemory();
        for (int l = 0; l < shapes.length; l++) {
            int n = neurons(l);
            long[] shape = {1, shapes[l][0], shapes[l][1], shapes[l][2]};
            if (host && precision == Precision.F32) {
                FloatBuffer src = b.asFloatBuffer();
                src.limit(n);
                floats(u[l], n).put(src);
            } else if (host) {
                DoubleBuffer src = b.asDoubleBuffer();
                src.limit(n);
                doubles(u[l], n).put(src);
            } else if (precision == Precision.F32) {
                float[] v = new float[n];
                b.asFloatBuffer().get(v);
                u[l].assign(Nd4j.create(v, shape, 'c'));
            } else {
                double[] v = new double[n];
                b.asDoubleBuffer().get(v);
                u[l].assign(Nd4j.create(v, shape, 'c'));
            }
            b.position(b.position() + n * precision.bytes());
            float[] spikes = spikeScratch(n);
            for (int i = 0; i < n; i += 8) {
                int bits = b.get() & 0xff;
                for (int j = 0; j < 8 && i + j < n; j++) {
                    spikes[i + j] = (bits >>> j) & 1;
                }
            }
            if (host && precision == Precision.F32) {
                floats(s[l], n).put(spikes, 0, n);
            } else if (host) {
                DoubleBuffer d = doubles(s[l], n);
                for (int i = 0; i < n; i++) {
                    d.put(i, spikes[i]);
                }
            } else {
                s[l].assign(Nd4j.create(Arrays.copyOf(spikes, n), shape, 'c').castTo(precision.dataType()));
            }
        }
    }

    /**
     * Frees the arrays' native memory now rather than at some later garbage collection. The state
     * must not be used afterwards.
     */
    public void close() {
        for (int l = 0; l < shapes.length; l++) {
            for (INDArray a : new INDArray[] {u[l], s[l]}) {
                if (a != null && a.closeable()) {
                    a.close();
                }
            }
        }
    }

    private int neurons(int l) {
        return shapes[l][0] * shapes[l][1] * shapes[l][2];
    }

    private float[] spikeScratch(int n) {
        if (spikeScratch.length < n) {
            spikeScratch = new float[n];
        }
        return spikeScratch;
    }

    /** The host memory of a fresh C-order array (offset 0 here, but honoured), as a buffer of exactly n floats. */
    private static FloatBuffer floats(INDArray a, int n) {
        FloatBuffer f = a.data().asNioFloat();
        int off = (int) a.offset();
        return f.position(off).limit(off + n).slice();
    }

    private static DoubleBuffer doubles(INDArray a, int n) {
        DoubleBuffer d = a.data().asNioDouble();
        int off = (int) a.offset();
        return d.position(off).limit(off + n).slice();
    }

    /** Whether ND4J arrays live in host memory that Java may read directly (the CPU backend). */
    private static boolean hostMemory() {
        return HOST_MEMORY;
    }

    /** The parsed, checked header of a byte form; {@code data} is positioned at the first layer's potentials. */
    private record Header(Precision precision, int[][] shapes, ByteBuffer data) {
        static Header read(byte[] bytes) {
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
            return new Header(p, shapes, b);
        }
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
