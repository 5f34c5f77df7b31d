package io.spikestream.model.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.model.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir Path dir;

    @Test
    void writtenTensorsAndMetadataReadBackExactly() throws IOException {
        Path f = dir.resolve("t.safetensors");
        double[] d = {1.5, -2.25, Math.PI, Double.MIN_VALUE, -0.0, 1e300};
        float[] s = {0.1f, -3f, Float.MAX_VALUE};
        long[] l = {Long.MIN_VALUE, 0, 42};
        new SafeTensorsWriter()
                .metadata("card", "{\"a\": 1}").metadata("framing", "{\"dt_us\": 1000}")
                .addF64("b.double", new long[] {2, 3}, d)
                .addF32("a.float", new long[] {3}, s)
                .addI64("c.long", new long[] {3}, l)
                .addI64("scalar", new long[] {}, new long[] {7})
                .write(f);
        SafeTensors st = SafeTensors.open(f);
        assertEquals(Map.of("card", "{\"a\": 1}", "framing", "{\"dt_us\": 1000}"), st.metadata());
        assertArrayEquals(d, st.doubles("b.double"));
        assertArrayEquals(new long[] {2, 3}, st.info("b.double").shape());
        assertArrayEquals(s, st.floats("a.float"));
        assertArrayEquals(l, st.longs("c.long"));
        assertEquals(0, st.info("scalar").shape().length);
        assertArrayEquals(new long[] {7}, st.longs("scalar"));
        // header padded to a multiple of 8, data right behind it
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0, head.getLong(0) % 8);
    }

    @Test
    void readsHalfAndBfloat16() throws IOException {
        // 1.0, -2.0, 65504 (max half), 2^-24 (smallest subnormal) as F16; 1.0 and -0.5 as BF16
        byte[] half = le16(0x3c00, 0xc000, 0x7bff, 0x0001);
        byte[] bf = le16(0x3f80, 0xbf00);
        Path f = raw("{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]}}", concat(half, bf));
        SafeTensors st = SafeTensors.open(f);
        assertArrayEquals(new double[] {1.0, -2.0, 65504.0, 0x1p-24}, st.doubles("h"));
        assertArrayEquals(new double[] {1.0, -0.5}, st.doubles("b"));
    }

    @Test
    void hostileHeaderLengthIsRejectedWithoutAllocating() throws IOException {
        Path f = dir.resolve("huge.safetensors");
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE / 2).putLong(0);
        Files.write(f, b.array());
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.open(f));
        assertTrue(e.getMessage().contains("huge.safetensors at byte 0") && e.getMessage().contains("header length"), e.getMessage());
    }

    @Test
    void offsetsOutsideTheFileAreRejected() throws IOException {
        Path f = raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1000000000],\"data_offsets\":[0,4000000000]}}", new byte[8]);
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.open(f));
        assertTrue(e.getMessage().contains("\"x\"") && e.getMessage().contains("outside the data section"), e.getMessage());
    }

    @Test
    void sizeThatDisagreesWithShapeIsRejected() throws IOException {
        Path f = raw("{\"x\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]);
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.open(f));
        assertTrue(e.getMessage().contains("needs 16 bytes"), e.getMessage());
    }

    @Test
    void overlappingTensorsAndUnknownTypesAreRejected() throws IOException {
        Path overlap = raw("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]);
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensors.open(overlap)).getMessage().contains("overlap"));
        Path unknown = raw("{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]);
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensors.open(unknown)).getMessage().contains("dtype"));
        Path notJson = raw("{\"a\": [", new byte[0]);
        assertTrue(assertThrows(SafeTensorsException.class, () -> SafeTensors.open(notJson)).getMessage().contains("JSON"));
    }

    @Test
    void readsTheFixtureWeightsInBothPrecisionsAsTheSameValues() throws IOException {
        SafeTensors f64 = SafeTensors.open(Fixtures.file("tiny.weights.safetensors"));
        SafeTensors f32 = SafeTensors.open(Fixtures.file("tiny.weights.f32.safetensors"));
        assertEquals(80, f64.tensors().size());
        assertEquals(DType.F64, f64.info("fc.weight").dtype());
        assertEquals(DType.F32, f32.info("fc.weight").dtype());
        assertArrayEquals(f64.doubles("conv1.0.weight"), f32.doubles("conv1.0.weight"));
        assertEquals(DType.I64, f64.info("conv1.1.bn.num_batches_tracked").dtype());
        assertTrue(f64.metadata().get("card").contains("ms-resnet"));
    }

    private Path raw(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = Files.createTempFile(dir, "raw", ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private static byte[] le16(int... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int x : v) {
            b.putShort((short) x);
        }
        return b.array();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
