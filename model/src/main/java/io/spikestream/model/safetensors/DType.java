package io.spikestream.model.safetensors;

/**
 * Element types of the safetensors format, with their size in bytes. Every type can be read
 * (converted to double or long); {@link #writable()} ones can also be written.
 */
public enum DType {
    F64(8, true),
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    I64(8, false),
    I32(4, false),
    I16(2, false),
    I8(1, false),
    U8(1, false),
    BOOL(1, false);

    private final int bytes;
    private final boolean floating;

    DType(int bytes, boolean floating) {
        this.bytes = bytes;
        this.floating = floating;
    }

    /** Size of one element in bytes. */
    public int bytes() {
        return bytes;
    }

    public boolean isFloating() {
        return floating;
    }

    /** Types this implementation writes (the ones PyTorch models and our fixtures use). */
    public boolean writable() {
        return this == F64 || this == F32 || this == I64;
    }

    /** The type named {@code name} in a header, or null when unknown. */
    static DType byName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
