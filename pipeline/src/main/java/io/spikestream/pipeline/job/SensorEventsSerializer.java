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
 * Ships {@link SensorEvents} between operators (the keyBy shuffle of every packet) with each
 * column written as one block of bytes. Flink's POJO serializer writes primitive arrays one
 * element per call, which was the largest cost of the shuffle. Packets from Kafka cross in their
 * validated wire form ({@link SensorEvents#wire}, about 8 bytes per event instead of 13).
 */
public final class SensorEventsSerializer extends TypeSerializer<SensorEvents> {
    private static final long serialVersionUID = 1L;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    /** Largest packet accepted when reading (as {@code EventPacketCodec.MAX_EVENTS}). */
    private static final int MAX_EVENTS = 1 << 24;

    private transient byte[] scratch;

    /** Flink type information that uses this serializer. */
    public static final TypeInformation<SensorEvents> TYPE = new Info();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<SensorEvents> duplicate() {
        return new SensorEventsSerializer(); // the scratch buffer is per instance
    }

    @Override
    public SensorEvents createInstance() {
        return new SensorEvents();
    }

    @Override
    public SensorEvents copy(SensorEvents from) {
        SensorEvents c = new SensorEvents();
        c.sensorId = from.sensorId;
        c.width = from.width;
        c.height = from.height;
        c.sequence = from.sequence;
        c.t = from.t == null ? null : from.t.clone();
        c.x = from.x == null ? null : from.x.clone();
        c.y = from.y == null ? null : from.y.clone();
        c.p = from.p == null ? null : from.p.clone();
        c.source = from.source;
        c.partition = from.partition;
        c.offset = from.offset;
        c.problem = from.problem;
        c.raw = from.raw == null ? null : from.raw.clone();
        c.wire = from.wire == null ? null : from.wire.clone();
        c.count = from.count;
        c.newestUs = from.newestUs;
        return c;
    }

    @Override
    public SensorEvents copy(SensorEvents from, SensorEvents reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(SensorEvents e, DataOutputView out) throws IOException {
        writeString(out, e.sensorId);
        out.writeInt(e.width);
        out.writeInt(e.height);
        out.writeLong(e.sequence);
        writeString(out, e.source);
        out.writeInt(e.partition);
        out.writeLong(e.offset);
        writeString(out, e.problem);
        writeBytes(out, e.raw);
        out.writeBoolean(e.wire != null);
        if (e.wire != null) {
            // the packet's own compact form, validated at the source: one block, decoded once after the shuffle
            out.writeInt(e.count);
            out.writeLong(e.newestUs);
            writeBytes(out, e.wire);
            return;
        }
        int n = e.size();
        out.writeInt(n);
        byte[] b = scratch(8 * n);
        for (int i = 0; i < n; i++) {
            LONGS.set(b, 8 * i, e.t[i]);
        }
        out.write(b, 0, 8 * n);
        for (int i = 0; i < n; i++) {
            SHORTS.set(b, 2 * i, e.x[i]);
        }
        out.write(b, 0, 2 * n);
        for (int i = 0; i < n; i++) {
            SHORTS.set(b, 2 * i, e.y[i]);
        }
        out.write(b, 0, 2 * n);
        out.write(e.p, 0, n);
    }

    @Override
    public SensorEvents deserialize(DataInputView in) throws IOException {
        SensorEvents e = new SensorEvents();
        e.sensorId = readString(in);
        e.width = in.readInt();
        e.height = in.readInt();
        e.sequence = in.readLong();
        e.source = readString(in);
        e.partition = in.readInt();
        e.offset = in.readLong();
        e.problem = readString(in);
        e.raw = readBytes(in);
        if (in.readBoolean()) {
            e.count = in.readInt();
            e.newestUs = in.readLong();
            e.wire = readBytes(in);
            if (e.count < 0 || e.count > MAX_EVENTS || e.wire == null) {
                throw new IOException("sensor events: impossible packet of " + e.count + " events");
            }
            return e;
        }
        int n = in.readInt();
        if (n < 0 || n > MAX_EVENTS) {
            throw new IOException("sensor events: impossible event count " + n);
        }
        byte[] b = scratch(8 * n);
        e.t = new long[n];
        in.readFully(b, 0, 8 * n);
        for (int i = 0; i < n; i++) {
            e.t[i] = (long) LONGS.get(b, 8 * i);
        }
        e.x = new short[n];
        in.readFully(b, 0, 2 * n);
        for (int i = 0; i < n; i++) {
            e.x[i] = (short) SHORTS.get(b, 2 * i);
        }
        e.y = new short[n];
        in.readFully(b, 0, 2 * n);
        for (int i = 0; i < n; i++) {
            e.y[i] = (short) SHORTS.get(b, 2 * i);
        }
        e.p = new byte[n];
        in.readFully(e.p, 0, n);
        return e;
    }

    @Override
    public SensorEvents deserialize(SensorEvents reuse, DataInputView in) throws IOException {
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

    private static void writeString(DataOutputView out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            out.writeUTF(s);
        }
    }

    private static String readString(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeBytes(DataOutputView out, byte[] b) throws IOException {
        out.writeInt(b == null ? -1 : b.length);
        if (b != null) {
            out.write(b);
        }
    }

    private static byte[] readBytes(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < -1 || n > (64 << 20)) {
            throw new IOException("sensor events: impossible raw length " + n);
        }
        if (n == -1) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof SensorEventsSerializer;
    }

    @Override
    public int hashCode() {
        return SensorEventsSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<SensorEvents> snapshotConfiguration() {
        return new Snapshot();
    }

    /** No configuration; the format version lives in this snapshot class. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<SensorEvents> {
        public Snapshot() {
            super(SensorEventsSerializer::new);
        }
    }

    /** Type information for {@link SensorEvents} with this serializer. */
    static final class Info extends TypeInformation<SensorEvents> {
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
        public Class<SensorEvents> getTypeClass() {
            return SensorEvents.class;
        }

        @Override
        public boolean isKeyType() {
            return false;
        }

        @Override
        public TypeSerializer<SensorEvents> createSerializer(SerializerConfig config) {
            return new SensorEventsSerializer();
        }

        @Override
        public String toString() {
            return "SensorEvents(block columns)";
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
