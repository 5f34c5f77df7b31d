package io.spikestream.model;

import org.nd4j.linalg.api.buffer.DataType;

/** Arithmetic precision of a network: float32 for serving, float64 to check against a reference. */
public enum Precision {
    F32(DataType.FLOAT, 4), F64(DataType.DOUBLE, 8);

    private final DataType dataType;
    private final int bytes;

    Precision(DataType dataType, int bytes) {
        this.dataType = dataType;
        this.bytes = bytes;
    }

    public DataType dataType() {
        return dataType;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** {@code f32} or {@code f64} (case-insensitive), as the command line spells it. */
    public static Precision parse(String s) {
        return switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "f32", "float32", "float" -> F32;
            case "f64", "float64", "double" -> F64;
            default -> throw new IllegalArgumentException("precision must be f32 or f64, was \"" + s + "\"");
        };
    }
}
