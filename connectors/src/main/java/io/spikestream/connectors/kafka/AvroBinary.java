package io.spikestream.connectors.kafka;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain Avro binary encoding (no header, no schema registry) of one generated record type, with
 * guarded decoding: input is checked by {@link AvroInputGuard} first, so garbage yields a message
 * instead of a huge allocation or an obscure exception.
 *
 * <p>The datum writer and reader are shared; the encoder, decoder and output buffer are reused
 * per thread, so one instance serves a Kafka producer used from several threads. Shared by the
 * Kafka serializers and by Flink deserialization schemas (which need the non-throwing
 * {@link #tryDecode} to route bad records to a dead letter).
 */
public final class AvroBinary<T extends SpecificRecord> {
    private final Class<T> type;
    private final Schema schema;
    private final SpecificDatumWriter<T> writer;
    private final SpecificDatumReader<T> reader;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** Result of {@link #tryDecode}: the record, or why the bytes are not one. */
    public record Decoded<T>(T value, String problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    public AvroBinary(Class<T> type) {
        this.type = type;
        this.schema = SpecificData.get().getSchema(type);
        this.writer = new SpecificDatumWriter<>(schema);
        this.reader = new SpecificDatumReader<>(schema);
    }

    public Schema schema() {
        return schema;
    }

    /** The record as Avro binary, in a new array of exactly its size. */
    public byte[] encode(T record) {
        Scratch s = scratch.get();
        s.out.reset();
        try {
            s.encoder = EncoderFactory.get().directBinaryEncoder(s.out, s.encoder);
            writer.write(record, s.encoder);
            s.encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot encode " + schema.getName() + ": " + e.getMessage(), e);
        }
        return s.out.toByteArray();
    }

    /**
     * Decodes one record, reusing {@code reuse} (and its buffers) when not null.
     *
     * @throws InvalidAvroDataException when the bytes are not exactly one record of this schema
     */
    public T decode(byte[] data, T reuse) {
        Decoded<T> d = tryDecode(data, reuse);
        if (!d.ok()) {
            throw new InvalidAvroDataException(d.problem());
        }
        return d.value();
    }

    /** Decodes one record, or says why the bytes are not one; never throws for bad input. */
    public Decoded<T> tryDecode(byte[] data, T reuse) {
        if (data == null) {
            return new Decoded<>(null, "no data (null) where a " + schema.getName() + " was expected");
        }
        String problem = AvroInputGuard.check(schema, data, 0, data.length);
        if (problem != null) {
            return new Decoded<>(null, "not a valid " + schema.getName() + " (" + data.length + " bytes): " + problem);
        }
        Scratch s = scratch.get();
        try {
            s.decoder = DecoderFactory.get().binaryDecoder(data, s.decoder);
            return new Decoded<>(type.cast(reader.read(reuse, s.decoder)), null);
        } catch (IOException | RuntimeException e) {
            // the guard accepted the structure; what remains are value-level problems such as bad UTF-8
            return new Decoded<>(null, "not a valid " + schema.getName() + " (" + data.length + " bytes): " + e);
        }
    }

    /** Per-thread encoder state. */
    private static final class Scratch {
        final GrowableOutput out = new GrowableOutput();
        BinaryEncoder encoder;
        BinaryDecoder decoder;
    }

    /** A ByteArrayOutputStream without synchronisation, kept per thread and reset between records. */
    private static final class GrowableOutput extends OutputStream {
        private byte[] buf = new byte[8192];
        private int size;

        void reset() {
            size = 0;
        }

        @Override
        public void write(int b) {
            ensure(1);
            buf[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(size + more, buf.length * 2));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }
}
