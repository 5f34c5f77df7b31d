package io.spikestream.connectors.recording;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Unaligned little- and big-endian reads and writes on byte arrays through VarHandles, which the
 * JIT compiles to single loads and stores (no per-byte shifting in the decoders' hot loops).
 */
final class LittleEndian {
    static final VarHandle I16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle I64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle BE_I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private LittleEndian() {}

    static int u16(byte[] b, int i) {
        return (short) I16.get(b, i) & 0xFFFF;
    }

    static int i32(byte[] b, int i) {
        return (int) I32.get(b, i);
    }

    static long i64(byte[] b, int i) {
        return (long) I64.get(b, i);
    }

    static int beI32(byte[] b, int i) {
        return (int) BE_I32.get(b, i);
    }

    static void putI16(byte[] b, int i, int v) {
        I16.set(b, i, (short) v);
    }

    static void putI32(byte[] b, int i, int v) {
        I32.set(b, i, v);
    }

    static void putI64(byte[] b, int i, long v) {
        I64.set(b, i, v);
    }

    static void putBeI32(byte[] b, int i, int v) {
        BE_I32.set(b, i, v);
    }
}
