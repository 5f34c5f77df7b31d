package io.spikestream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class MembraneStateTest {
    private static final int[][] SHAPES = {{3, 5, 7}, {2, 1, 1}};

    private static MembraneState filled(Precision p) {
        MembraneState s = MembraneState.zeros(p, SHAPES);
        s.u(0).assign(Nd4j.rand(p.dataType(), 1, 3, 5, 7).subi(0.5));
        s.u(0).putScalar(0, -0.0);
        s.u(1).assign(Nd4j.createFromArray(Double.MIN_VALUE, 1e300).castTo(p.dataType()).reshape(1, 2, 1, 1));
        s.s(0).assign(s.u(0).gt(0.2).castTo(p.dataType()));
        s.s(1).putScalar(1, 1.0);
        return s;
    }

    @Test
    void roundTripsBitExactlyInBothPrecisions() {
        for (Precision p : Precision.values()) {
            MembraneState s = filled(p);
            byte[] bytes = s.toBytes();
            MembraneState back = MembraneState.fromBytes(bytes);
            assertEquals(p, back.precision());
            assertTrue(back.sameShapes(s));
            for (int l = 0; l < SHAPES.length; l++) {
                assertArrayEquals(s.u(l).castTo(DataType.DOUBLE).data().asDouble(), back.u(l).castTo(DataType.DOUBLE).data().asDouble());
                assertEquals(s.s(l), back.s(l));
            }
            assertArrayEquals(bytes, back.toBytes());
        }
    }

    @Test
    void sizeIsThePotentialsPlusOneBitPerSpike() {
        MembraneState s = MembraneState.zeros(Precision.F32, SHAPES);
        // header 8 + 2 layer shapes of 6 bytes; 105 floats + 14 bytes of bits; 2 floats + 1 byte
        assertEquals(8 + 12 + 105 * 4 + 14 + 2 * 4 + 1, s.serializedBytes());
        assertEquals(s.serializedBytes(), s.toBytes().length);
    }

    @Test
    void resetZeroesEverything() {
        MembraneState s = filled(Precision.F64);
        s.reset();
        assertArrayEquals(MembraneState.zeros(Precision.F64, SHAPES).toBytes(), s.toBytes());
    }

    @Test
    void damagedBytesAreRejectedWithTheirOffset() {
        byte[] good = filled(Precision.F32).toBytes();
        byte[] truncated = Arrays.copyOf(good, good.length - 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MembraneState.fromBytes(truncated)).getMessage()
                .contains("at byte 20"));
        byte[] badMagic = good.clone();
        badMagic[0] = 'X';
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MembraneState.fromBytes(badMagic)).getMessage().contains("magic"));
        byte[] hugeShape = good.clone();
        hugeShape[8] = (byte) 0xff;
        hugeShape[9] = (byte) 0xff;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MembraneState.fromBytes(hugeShape)).getMessage().contains("bytes of data"));
        byte[] newer = good.clone();
        newer[4] = 9;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> MembraneState.fromBytes(newer)).getMessage().contains("version 9"));
        assertThrows(IllegalArgumentException.class, () -> MembraneState.fromBytes(new byte[3]));
    }

    @Test
    void loadOverwritesAReusedStateInPlaceBitExactly() {
        for (Precision p : Precision.values()) {
            MembraneState source = filled(p);
            byte[] bytes = source.toBytes();
            MembraneState reused = filled(p);
            reused.u(0).addi(3.0);
            reused.s(1).assign(0);
            var u0 = reused.u(0);
            reused.load(bytes);
            assertTrue(u0 == reused.u(0), "load must write into the existing arrays");
            for (int l = 0; l < SHAPES.length; l++) {
                assertArrayEquals(source.u(l).castTo(DataType.DOUBLE).data().asDouble(), reused.u(l).castTo(DataType.DOUBLE).data().asDouble());
                assertEquals(source.s(l), reused.s(l));
            }
            byte[] again = new byte[reused.serializedBytes()];
            reused.writeTo(again);
            assertArrayEquals(bytes, again);
            reused.reset();
            assertArrayEquals(MembraneState.zeros(p, SHAPES).toBytes(), reused.toBytes());
        }
    }

    @Test
    void loadRefusesAStateOfOtherShapesOrPrecision() {
        MembraneState target = MembraneState.zeros(Precision.F32, SHAPES);
        byte[] otherShapes = MembraneState.zeros(Precision.F32, new int[][] {{3, 5, 7}}).toBytes();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> target.load(otherShapes)).getMessage().contains("layer shapes"));
        byte[] otherPrecision = MembraneState.zeros(Precision.F64, SHAPES).toBytes();
        assertTrue(assertThrows(IllegalArgumentException.class, () -> target.load(otherPrecision)).getMessage().contains("F64"));
        assertThrows(IllegalArgumentException.class, () -> target.writeTo(new byte[5]));
    }
}
