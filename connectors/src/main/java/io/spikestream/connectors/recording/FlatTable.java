package io.spikestream.connectors.recording;

import java.nio.charset.StandardCharsets;

/**
 * Reads one FlatBuffers table by hand (no flatc): the table starts with a signed offset back to
 * its vtable, whose entries give each field's position inside the table (0 = absent, default).
 * Every offset is checked against the buffer, so a corrupt buffer gives a {@link Corrupt} with
 * the failing position instead of an index error or a huge allocation.
 */
final class FlatTable {
    private final byte[] b;
    private final int start;
    private final int end;
    private final int table;
    private final int vtable;
    private final int vtableLength;

    /** The buffer's problem and its position relative to the buffer start. */
    static final class Corrupt extends Exception {
        private static final long serialVersionUID = 1L;
        final int position;

        Corrupt(int position, String problem) {
            super(problem);
            this.position = position;
        }
    }

    private FlatTable(byte[] b, int start, int end, int table) throws Corrupt {
        this.b = b;
        this.start = start;
        this.end = end;
        this.table = table;
        check(table, 4, "table");
        long vt = (long) table - LittleEndian.i32(b, table);
        if (vt < start || vt + 4 > end) {
            throw new Corrupt(table - start, "vtable offset points outside the buffer");
        }
        this.vtable = (int) vt;
        this.vtableLength = LittleEndian.u16(b, vtable);
        if (vtableLength < 4 || (vtableLength & 1) != 0 || vtable + vtableLength > end) {
            throw new Corrupt(vtable - start, "impossible vtable length " + vtableLength);
        }
    }

    /** The root table of the buffer {@code b[start, end)} (its first 4 bytes are the root offset). */
    static FlatTable root(byte[] b, int start, int end) throws Corrupt {
        if (end - start < 8) {
            throw new Corrupt(0, "flatbuffer of " + (end - start) + " bytes is too short");
        }
        long root = start + (LittleEndian.i32(b, start) & 0xFFFFFFFFL);
        if (root + 4 > end) {
            throw new Corrupt(0, "root table offset points outside the buffer");
        }
        return new FlatTable(b, start, end, (int) root);
    }

    /** The 4-character file identifier that follows the root offset. */
    static String identifier(byte[] b, int start) {
        return new String(b, start + 4, 4, StandardCharsets.ISO_8859_1);
    }

    private int field(int id, int size) throws Corrupt {
        int entry = 4 + 2 * id;
        if (entry + 2 > vtableLength) {
            return -1;
        }
        int off = LittleEndian.u16(b, vtable + entry);
        if (off == 0) {
            return -1;
        }
        int pos = table + off;
        check(pos, size, "field " + id);
        return pos;
    }

    int int32(int id, int dflt) throws Corrupt {
        int pos = field(id, 4);
        return pos < 0 ? dflt : LittleEndian.i32(b, pos);
    }

    long int64(int id, long dflt) throws Corrupt {
        int pos = field(id, 8);
        return pos < 0 ? dflt : LittleEndian.i64(b, pos);
    }

    /** The string field {@code id}, or null when absent. */
    String string(int id) throws Corrupt {
        int pos = field(id, 4);
        if (pos < 0) {
            return null;
        }
        int at = target(pos);
        int len = LittleEndian.i32(b, at);
        if (len < 0 || (long) at + 4 + len > end) {
            throw new Corrupt(at - start, "string length " + (len & 0xFFFFFFFFL) + " exceeds the buffer");
        }
        return new String(b, at + 4, len, StandardCharsets.UTF_8);
    }

    /**
     * The position of the first element of the vector field {@code id} of {@code elementSize}-byte
     * elements, with its length in {@code lengthOut[0]}; -1 when absent.
     */
    int vector(int id, int elementSize, int[] lengthOut) throws Corrupt {
        int pos = field(id, 4);
        if (pos < 0) {
            lengthOut[0] = 0;
            return -1;
        }
        int at = target(pos);
        long len = LittleEndian.i32(b, at) & 0xFFFFFFFFL;
        if (at + 4 + len * elementSize > end) {
            throw new Corrupt(at - start, "vector of " + len + " elements of " + elementSize
                    + " bytes exceeds the buffer");
        }
        lengthOut[0] = (int) len;
        return at + 4;
    }

    /**
     * Like {@link #vector} for a buffer cut short: only the vector's length must lie inside it, so
     * the caller can take the elements that are present. -1 when absent.
     */
    int vectorStart(int id, int[] lengthOut) throws Corrupt {
        int pos = field(id, 4);
        if (pos < 0) {
            lengthOut[0] = 0;
            return -1;
        }
        int at = target(pos);
        long len = LittleEndian.i32(b, at) & 0xFFFFFFFFL;
        lengthOut[0] = (int) Math.min(len, Integer.MAX_VALUE);
        return at + 4;
    }

    private int target(int pos) throws Corrupt {
        long at = pos + (LittleEndian.i32(b, pos) & 0xFFFFFFFFL);
        if (at + 4 > end) {
            throw new Corrupt(pos - start, "offset points outside the buffer");
        }
        return (int) at;
    }

    private void check(int pos, int size, String what) throws Corrupt {
        if (pos < start || (long) pos + size > end) {
            throw new Corrupt(pos - start, what + " lies outside the buffer");
        }
    }
}
