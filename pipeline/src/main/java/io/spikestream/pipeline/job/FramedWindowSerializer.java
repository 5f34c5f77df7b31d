package io.spikestream.pipeline.job;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Ships {@link FramedWindow}s wherever they cross a task boundary (a sink, the live view, a
 * classifier at another parallelism) with the frames written as one block of bytes, not one
 * float per call as Flink's POJO serializer would.
 */
public final class FramedWindowSerializer extends TypeSerializer<FramedWindow> {
    private static final long serialVersionUID = 1L;
    private static final VarHandle FLOATS = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    /** Largest frame block accepted when reading (floats). */
    private static final int MAX_FLOATS = 1 << 26;

    private transient byte[] scratch;

    /** Flink type information that uses this serializer. */
    public static final TypeInformation<FramedWindow> TYPE = new Info();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<FramedWindow> duplicate() {
        return new FramedWindowSerializer(); // the scratch buffer is per instance
    }

    @Override
    public FramedWindow createInstance() {
        return new FramedWindow();
    }

    @Override
    public FramedWindow copy(FramedWindow from) {
        FramedWindow c = new FramedWindow();
        c.sensorId = from.sensorId;
        c.index = from.index;
        c.startUs = from.startUs;
        c.endUs = from.endUs;
        c.bins = from.bins;
        c.height = from.height;
        c.width = from.width;
        c.frames = from.frames == null ? null : from.frames.clone();
        c.binEvents = from.binEvents == null ? null : from.binEvents.clone();
        c.closedAtMs = from.closedAtMs;
        return c;
    }

    @Override
    public FramedWindow copy(FramedWindow from, FramedWindow reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(FramedWindow w, DataOutputView out) throws IOException {
        out.writeBoolean(w.sensorId != null);
        if (w.sensorId != null) {
            out.writeUTF(w.sensorId);
        }
        out.writeLong(w.index);
        out.writeLong(w.startUs);
        out.writeLong(w.endUs);
        out.writeInt(w.bins);
        out.writeInt(w.height);
        out.writeInt(w.width);
        out.writeLong(w.closedAtMs);
        int n = w.frames == null ? -1 : w.frames.length;
        out.writeInt(n);
        if (n > 0) {
            byte[] b = scratch(4 * n);
            for (int i = 0; i < n; i++) {
                FLOATS.set(b, 4 * i, w.frames[i]);
            }
            out.write(b, 0, 4 * n);
        }
        int k = w.binEvents == null ? -1 : w.binEvents.length;
        out.writeInt(k);
        for (int i = 0; i < k; i++) {
            out.writeInt(w.binEvents[i]);
        }
    }

    @Override
    public FramedWindow deserialize(DataInputView in) throws IOException {
        FramedWindow w = new FramedWindow();
        w.sensorId = in.readBoolean() ? in.readUTF() : null;
        w.index = in.readLong();
        w.startUs = in.readLong();
        w.endUs = in.readLong();
        w.bins = in.readInt();
        w.height = in.readInt();
        w.width = in.readInt();
        w.closedAtMs = in.readLong();
        int n = in.readInt();
        if (n < -1 || n > MAX_FLOATS) {
            throw new IOException("framed window: impossible frame size " + n);
        }
        if (n >= 0) {
            w.frames = new float[n];
            byte[] b = scratch(4 * n);
            in.readFully(b, 0, 4 * n);
            for (int i = 0; i < n; i++) {
                w.frames[i] = (float) FLOATS.get(b, 4 * i);
            }
        }
        int k = in.readInt();
        if (k < -1 || k > (1 << 20)) {
            throw new IOException("framed window: impossible bin count " + k);
        }
        if (k >= 0) {
            w.binEvents = new int[k];
            for (int i = 0; i < k; i++) {
                w.binEvents[i] = in.readInt();
            }
        }
        return w;
    }

    @Override
    public FramedWindow deserialize(FramedWindow reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    private byte[] scratch(int size) {
        if (scratch == null || scratch.length < size) {
            scratch = new byte[Math.max(size, 1 << 15)];
        }
        return scratch;
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof FramedWindowSerializer;
    }

    @Override
    public int hashCode() {
        return FramedWindowSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<FramedWindow> snapshotConfiguration() {
        return new Snapshot();
    }

    /** No configuration; the format version lives in this snapshot class. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<FramedWindow> {
        public Snapshot() {
            super(FramedWindowSerializer::new);
        }
    }

    /** Type information for {@link FramedWindow} with this serializer. */
    static final class Info extends TypeInformation<FramedWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public boolean isBasicType() {
            return false;
        }

        @Override
        public boolean isTupleType() {
            return false;
        }

        @Override
        public int getArity() {
            return 1;
        }

        @Override
        public int getTotalFields() {
            return 1;
        }

        @Override
        public Class<FramedWindow> getTypeClass() {
            return FramedWindow.class;
        }

        @Override
        public boolean isKeyType() {
            return false;
        }

        @Override
        public TypeSerializer<FramedWindow> createSerializer(SerializerConfig config) {
            return new FramedWindowSerializer();
        }

        @Override
        public String toString() {
            return "FramedWindow(block frames)";
        }

        @Override
        public boolean equals(Object obj) {
            return obj instanceof Info;
        }

        @Override
        public int hashCode() {
            return Info.class.hashCode();
        }

        @Override
        public boolean canEqual(Object obj) {
            return obj instanceof Info;
        }
    }
}
