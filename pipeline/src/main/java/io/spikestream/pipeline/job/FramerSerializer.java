package io.spikestream.pipeline.job;

import io.spikestream.pipeline.framing.Framer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * The state format 0 of the framing operator: a sensor's {@link Framer} (open bins, window
 * position, denoise map) in Flink keyed state "framer", through {@link Framer#writeState}. Today's
 * operator keeps framers in memory and writes format 1 ({@link FramingOperator#encode}); this
 * serializer remains to read savepoints of format 0 once, on restore.
 */
public final class FramerSerializer extends TypeSerializer<Framer> {
    private static final long serialVersionUID = 1L;
    public static final FramerSerializer INSTANCE = new FramerSerializer();

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public TypeSerializer<Framer> duplicate() {
        return this;
    }

    @Override
    public Framer createInstance() {
        return null;
    }

    @Override
    public Framer copy(Framer from) {
        if (from == null) {
            return null;
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            from.writeState(new DataOutputStream(bytes));
            Framer copy = Framer.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
            return copy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Framer copy(Framer from, Framer reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Framer record, DataOutputView target) throws IOException {
        record.writeState(target);
    }

    @Override
    public Framer deserialize(DataInputView source) throws IOException {
        return Framer.readState(source);
    }

    @Override
    public Framer deserialize(Framer reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof FramerSerializer;
    }

    @Override
    public int hashCode() {
        return FramerSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<Framer> snapshotConfiguration() {
        return new Snapshot();
    }

    /** The serializer has no configuration; the format version lives in this snapshot class. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Framer> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
