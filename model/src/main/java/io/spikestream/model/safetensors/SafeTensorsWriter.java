package io.spikestream.model.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Collects tensors and {@code __metadata__} strings and writes them as one safetensors file
 * (tensors in name order, header padded with spaces to a multiple of 8, as PyTorch's writer does).
 * Writes F32, F64 and I64. The file is written to a temporary sibling and moved into place, so a
 * reader never sees half a file.
 */
public final class SafeTensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Entry(DType dtype, long[] shape, byte[] data) {}

    private final Map<String, Entry> tensors = new TreeMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /** Adds (or replaces) a metadata string. */
    public SafeTensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafeTensorsWriter metadata(Map<String, String> entries) {
        metadata.putAll(entries);
        return this;
    }

    /** Adds {@code values} (C order) of {@code shape} as F64. */
    public SafeTensorsWriter addF64(String name, long[] shape, double[] values) {
        ByteBuffer b = buffer(name, shape, values.length, 8);
        b.asDoubleBuffer().put(values);
        return put(name, DType.F64, shape, b);
    }

    /** Adds {@code values} (C order) of {@code shape} as F32. */
    public SafeTensorsWriter addF32(String name, long[] shape, float[] values) {
        ByteBuffer b = buffer(name, shape, values.length, 4);
        b.asFloatBuffer().put(values);
        return put(name, DType.F32, shape, b);
    }

    /** Adds {@code values} (C order) of {@code shape} as I64. */
    public SafeTensorsWriter addI64(String name, long[] shape, long[] values) {
        ByteBuffer b = buffer(name, shape, values.length, 8);
        b.asLongBuffer().put(values);
        return put(name, DType.I64, shape, b);
    }

    /**
     * Adds an ND4J array with its shape: DOUBLE as F64, FLOAT (and HALF, BFLOAT16) as F32, integer
     * types as I64.
     */
    public SafeTensorsWriter add(String name, INDArray array) {
        long[] shape = array.shape();
        DataType t = array.dataType();
        if (t == DataType.DOUBLE) {
            return addF64(name, shape, array.dup('c').data().asDouble());
        }
        if (t.isFPType()) {
            return addF32(name, shape, array.castTo(DataType.FLOAT).dup('c').data().asFloat());
        }
        return addI64(name, shape, array.castTo(DataType.LONG).dup('c').data().asLong());
    }

    private static ByteBuffer buffer(String name, long[] shape, int count, int size) {
        long n = TensorInfo.elements(shape);
        if (n != count) {
            throw new IllegalArgumentException("tensor \"" + name + "\": shape " + Arrays.toString(shape) + " has " + n
                    + " elements but " + count + " values were given");
        }
        return ByteBuffer.allocate(Math.multiplyExact(count, size)).order(ByteOrder.LITTLE_ENDIAN);
    }

    private SafeTensorsWriter put(String name, DType dtype, long[] shape, ByteBuffer b) {
        if (name.equals("__metadata__")) {
            throw new IllegalArgumentException("\"__metadata__\" is reserved and cannot name a tensor");
        }
        tensors.put(name, new Entry(dtype, shape.clone(), b.array()));
        return this;
    }

    /** Writes the file (replacing an existing one atomically). */
    public void write(Path file) throws IOException {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype().name());
            ArrayNode shape = t.putArray("shape");
            for (long d : e.getValue().shape()) {
                shape.add(d);
            }
            ArrayNode off = t.putArray("data_offsets");
            off.add(offset);
            offset += e.getValue().data().length;
            off.add(offset);
        }
        byte[] json = JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
                out.write(headerBytes);
                for (Entry e : tensors.values()) {
                    out.write(e.data());
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

}
