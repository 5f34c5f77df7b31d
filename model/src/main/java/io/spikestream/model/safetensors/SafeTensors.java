package io.spikestream.model.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A safetensors file opened for reading (the format PyTorch and Hugging Face use for weights):
 * an 8-byte little-endian header length, a JSON header, then raw little-endian C-order data.
 *
 * <p>Every size in the header is checked against the real file before anything is allocated, so a
 * hostile header length or offset gives a {@link SafeTensorsException} naming the file and the byte
 * offset, never a huge allocation. The data section is memory-mapped, so opening a file costs only
 * its header; tensors are decoded on request. Instances are immutable and thread-safe.
 */
public final class SafeTensors {
    /** The format's own limit on the JSON header. */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final int MAX_RANK = 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;
    private final ByteBuffer data;
    private final long dataStart;

    private SafeTensors(Path file, Map<String, TensorInfo> tensors, Map<String, String> metadata,
            ByteBuffer data, long dataStart) {
        this.file = file;
        this.tensors = tensors;
        this.metadata = metadata;
        this.data = data;
        this.dataStart = dataStart;
    }

    /** Opens {@code file} and validates its header against the file size. */
    public static SafeTensors open(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new SafeTensorsException(file, 0, "file has " + size + " bytes, too short for the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw new SafeTensorsException(file, 0, "header length " + Long.toUnsignedString(headerLen)
                        + " is impossible (file has " + size + " bytes, the format allows at most "
                        + MAX_HEADER_BYTES + ")");
            }
            ByteBuffer header = ByteBuffer.allocate((int) headerLen);
            readFully(ch, header, 8);
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            if (dataLen > Integer.MAX_VALUE) {
                throw new SafeTensorsException(file, dataStart, "data section of " + dataLen + " bytes exceeds the 2 GiB this reader supports");
            }
            JsonNode root;
            try {
                root = JSON.readTree(header.array());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SafeTensorsException(file, 8, "header is not valid JSON: " + e.getOriginalMessage());
            }
            if (root == null || !root.isObject()) {
                throw new SafeTensorsException(file, 8, "header is not a JSON object");
            }
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> tensors = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    readMetadata(file, e.getValue(), metadata);
                } else {
                    tensors.put(e.getKey(), readEntry(file, e.getKey(), e.getValue(), dataLen, dataStart));
                }
            }
            checkNoOverlap(file, tensors, dataStart);
            ByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, dataStart, dataLen).order(ByteOrder.LITTLE_ENDIAN);
            return new SafeTensors(file, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata), mapped, dataStart);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> out) throws SafeTensorsException {
        if (!node.isObject()) {
            throw new SafeTensorsException(file, 8, "__metadata__ must be an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new SafeTensorsException(file, 8, "__metadata__[\"" + e.getKey() + "\"] is not a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static TensorInfo readEntry(Path file, String name, JsonNode node, long dataLen, long dataStart)
            throws SafeTensorsException {
        String where = "tensor \"" + name + "\": ";
        if (!node.isObject()) {
            throw new SafeTensorsException(file, 8, where + "entry is not an object");
        }
        JsonNode dt = node.get("dtype");
        DType dtype = dt != null && dt.isTextual() ? DType.byName(dt.textValue()) : null;
        if (dtype == null) {
            throw new SafeTensorsException(file, 8, where + "unknown or missing dtype " + dt);
        }
        JsonNode sh = node.get("shape");
        if (sh == null || !sh.isArray() || sh.size() > MAX_RANK) {
            throw new SafeTensorsException(file, 8, where + "shape must be a list of at most " + MAX_RANK + " sizes, was " + sh);
        }
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.longValue() < 0) {
                throw new SafeTensorsException(file, 8, where + "shape entry " + i + " is not a non-negative integer: " + d);
            }
            shape[i] = d.longValue();
        }
        JsonNode off = node.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber()
                || !off.get(0).canConvertToLong() || !off.get(1).canConvertToLong()) {
            throw new SafeTensorsException(file, 8, where + "data_offsets must be [begin, end], was " + off);
        }
        long begin = off.get(0).longValue();
        long end = off.get(1).longValue();
        if (begin < 0 || end < begin || end > dataLen) {
            throw new SafeTensorsException(file, dataStart + Math.max(0, begin), where + "data_offsets [" + begin + ", " + end
                    + "] lie outside the data section of " + dataLen + " bytes");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(TensorInfo.elements(shape), dtype.bytes());
        } catch (ArithmeticException e) {
            throw new SafeTensorsException(file, 8, where + "shape " + java.util.Arrays.toString(shape) + " overflows");
        }
        if (bytes != end - begin) {
            throw new SafeTensorsException(file, dataStart + begin, where + dtype + " " + java.util.Arrays.toString(shape)
                    + " needs " + bytes + " bytes but data_offsets span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static void checkNoOverlap(Path file, Map<String, TensorInfo> tensors, long dataStart) throws SafeTensorsException {
        List<TensorInfo> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        TensorInfo prev = null;
        for (TensorInfo t : byOffset) {
            if (prev != null && t.begin() < prev.end() && t.end() > t.begin()) {
                throw new SafeTensorsException(file, dataStart + t.begin(), "tensors \"" + prev.name() + "\" and \""
                        + t.name() + "\" overlap");
            }
            if (t.end() > t.begin()) {
                prev = t;
            }
        }
    }

    public Path file() {
        return file;
    }

    /** Header entries by name (sorted by name). */
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} strings (empty when absent). */
    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** The header entry of {@code name}; a clear error when the file has no such tensor. */
    public TensorInfo info(String name) throws SafeTensorsException {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw new SafeTensorsException(file, 8, "no tensor named \"" + name + "\" (the file holds " + tensors.size() + " tensors)");
        }
        return t;
    }

    /** The elements of {@code name} in C order, converted to double (exact for every type but I64 beyond 2^53). */
    public double[] doubles(String name) throws SafeTensorsException {
        TensorInfo t = info(name);
        int n = checkedCount(t);
        double[] out = new double[n];
        ByteBuffer b = slice(t);
        for (int i = 0; i < n; i++) {
            out[i] = readDouble(b, t.dtype(), i);
        }
        return out;
    }

    /** The elements of {@code name} converted to float (rounding F64). */
    public float[] floats(String name) throws SafeTensorsException {
        TensorInfo t = info(name);
        int n = checkedCount(t);
        float[] out = new float[n];
        ByteBuffer b = slice(t);
        for (int i = 0; i < n; i++) {
            out[i] = (float) readDouble(b, t.dtype(), i);
        }
        return out;
    }

    /** The elements of an integer (or bool) tensor; floating tensors are rejected rather than truncated. */
    public long[] longs(String name) throws SafeTensorsException {
        TensorInfo t = info(name);
        if (t.dtype().isFloating()) {
            throw new SafeTensorsException(file, dataStart + t.begin(), "tensor \"" + name + "\" is " + t.dtype() + ", expected an integer type");
        }
        int n = checkedCount(t);
        long[] out = new long[n];
        ByteBuffer b = slice(t);
        for (int i = 0; i < n; i++) {
            out[i] = readLong(b, t.dtype(), i);
        }
        return out;
    }

    /** The tensor as an ND4J array of {@code type} with the file's shape (a scalar for rank 0). */
    public INDArray array(String name, DataType type) throws SafeTensorsException {
        TensorInfo t = info(name);
        long[] shape = t.shape();
        if (type == DataType.DOUBLE) {
            return Nd4j.create(doubles(name), shape, DataType.DOUBLE);
        }
        if (type == DataType.FLOAT) {
            return Nd4j.create(floats(name), shape, DataType.FLOAT);
        }
        if (type == DataType.LONG) {
            return Nd4j.create(longs(name), shape, DataType.LONG);
        }
        return Nd4j.create(doubles(name), shape, DataType.DOUBLE).castTo(type);
    }

    private int checkedCount(TensorInfo t) throws SafeTensorsException {
        long n = t.elements();
        if (n > Integer.MAX_VALUE - 8) {
            throw new SafeTensorsException(file, dataStart + t.begin(), "tensor \"" + t.name() + "\" has " + n + " elements, too many for one array");
        }
        return (int) n;
    }

    private ByteBuffer slice(TensorInfo t) {
        return data.slice((int) t.begin(), (int) (t.end() - t.begin())).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static double readDouble(ByteBuffer b, DType type, int i) {
        return switch (type) {
            case F64 -> b.getDouble(i * 8);
            case F32 -> b.getFloat(i * 4);
            case F16 -> halfToFloat(b.getShort(i * 2));
            case BF16 -> Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
            default -> readLong(b, type, i);
        };
    }

    private static long readLong(ByteBuffer b, DType type, int i) {
        return switch (type) {
            case I64 -> b.getLong(i * 8);
            case I32 -> b.getInt(i * 4);
            case I16 -> b.getShort(i * 2);
            case I8 -> b.get(i);
            case U8, BOOL -> b.get(i) & 0xff;
            default -> throw new IllegalArgumentException(type + " is not an integer type");
        };
    }

    /** IEEE 754 binary16 to float (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            // subnormal or zero: mant * 2^-24, exact in float
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
