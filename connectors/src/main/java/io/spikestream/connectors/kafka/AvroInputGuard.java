package io.spikestream.connectors.kafka;

import org.apache.avro.Schema;

/**
 * Walks Avro binary data against a schema without building anything, checking that every length
 * and item count fits in the bytes that remain.
 *
 * <p>Why: Avro's {@code BinaryDecoder} allocates a {@code bytes} or {@code string} value of the
 * declared length before it notices the input is too short, and pre-sizes arrays by the declared
 * count, so a corrupt or hostile record of a few bytes can demand gigabytes. Running this first
 * bounds every allocation by the input size and turns garbage into a message with a byte offset and
 * the field it was reading.
 */
public final class AvroInputGuard {
    private final byte[] data;
    private final int end;
    private int pos;

    private AvroInputGuard(byte[] data, int offset, int length) {
        this.data = data;
        this.pos = offset;
        this.end = offset + length;
    }

    /**
     * Checks {@code data[offset, offset + length)} as exactly one datum of {@code schema}.
     *
     * @return null when it is well-formed, else what is wrong (byte offset, field path, problem)
     */
    public static String check(Schema schema, byte[] data, int offset, int length) {
        AvroInputGuard g = new AvroInputGuard(data, offset, length);
        try {
            g.walk(schema);
            if (g.pos != g.end) {
                return "byte " + (g.pos - offset) + ": " + (g.end - g.pos) + " bytes left over after a complete "
                        + schema.getName();
            }
            return null;
        } catch (Malformed m) {
            return "byte " + (m.at - offset) + (m.path.isEmpty() ? "" : " (" + m.path + ")") + ": " + m.getMessage();
        }
    }

    private void walk(Schema s) {
        switch (s.getType()) {
            case NULL -> { }
            case BOOLEAN -> {
                int b = take(1);
                if ((data[b] & 0xFE) != 0) {
                    throw new Malformed(b, "boolean byte " + (data[b] & 0xFF) + " is neither 0 nor 1");
                }
            }
            case INT -> varint(5);
            case LONG -> varint(10);
            case FLOAT -> take(4);
            case DOUBLE -> take(8);
            case STRING, BYTES -> {
                int at = pos;
                long len = varint(10);
                if (len < 0 || len > end - pos) {
                    throw new Malformed(at, s.getType().getName() + " length " + len + " but only " + (end - pos) + " bytes left");
                }
                pos += (int) len;
            }
            case FIXED -> take(s.getFixedSize());
            case ENUM -> index(s.getEnumSymbols().size(), "enum symbol");
            case UNION -> walk(s.getTypes().get(index(s.getTypes().size(), "union branch")));
            case ARRAY -> blocks(s.getElementType(), false);
            case MAP -> blocks(s.getValueType(), true);
            case RECORD -> {
                for (Schema.Field f : s.getFields()) {
                    try {
                        walk(f.schema());
                    } catch (Malformed m) {
                        throw m.within(f.name());
                    }
                }
            }
        }
    }

    private void blocks(Schema item, boolean map) {
        while (true) {
            int at = pos;
            long count = varint(10);
            if (count == 0) {
                return;
            }
            if (count < 0) {
                count = -count;
                long size = varint(10);
                if (size < 0 || size > end - pos) {
                    throw new Malformed(at, "block of " + size + " bytes but only " + (end - pos) + " bytes left");
                }
            }
            // every item takes at least one byte in our schemas; a larger count can only be garbage
            if (count < 0 || count > end - pos) {
                throw new Malformed(at, "block of " + count + " items but only " + (end - pos) + " bytes left");
            }
            for (long i = 0; i < count; i++) {
                if (map) {
                    walk(Schema.create(Schema.Type.STRING));
                }
                walk(item);
            }
        }
    }

    private int index(int size, String what) {
        int at = pos;
        long i = varint(5);
        if (i < 0 || i >= size) {
            throw new Malformed(at, what + " " + i + " outside [0, " + size + ")");
        }
        return (int) i;
    }

    private int take(int n) {
        if (n > end - pos) {
            throw new Malformed(pos, "needs " + n + " bytes but only " + (end - pos) + " left");
        }
        int at = pos;
        pos += n;
        return at;
    }

    /** Reads a zig-zag varint of at most {@code maxBytes} bytes. */
    private long varint(int maxBytes) {
        int at = pos;
        long raw = 0;
        for (int shift = 0, i = 0; ; shift += 7, i++) {
            if (i == maxBytes) {
                throw new Malformed(at, "variable-length integer longer than " + maxBytes + " bytes");
            }
            if (pos >= end) {
                throw new Malformed(at, "input ends inside a variable-length integer");
            }
            int b = data[pos++];
            raw |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
        }
        return (raw >>> 1) ^ -(raw & 1);
    }

    private static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int at;
        final String path;

        Malformed(int at, String message) {
            this(at, message, "");
        }

        private Malformed(int at, String message, String path) {
            super(message, null, false, false);
            this.at = at;
            this.path = path;
        }

        Malformed within(String field) {
            return new Malformed(at, getMessage(), path.isEmpty() ? field : field + "." + path);
        }
    }
}
