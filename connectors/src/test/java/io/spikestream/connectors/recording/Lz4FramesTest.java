package io.spikestream.connectors.recording;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorOutputStream;
import org.junit.jupiter.api.Test;

/** LZ4 frames decode whatever their block layout, and malformed frames fail cleanly. */
class Lz4FramesTest {

    /** 300 KB of event-like data: repetitive enough that later blocks can refer back into earlier ones. */
    private static byte[] data() {
        Random r = new Random(5);
        byte[] d = new byte[300_000];
        byte[] motif = new byte[4000];
        r.nextBytes(motif);
        for (int i = 0; i < d.length; i++) {
            d[i] = (i % 997 == 0) ? (byte) r.nextInt() : motif[i % motif.length];
        }
        return d;
    }

    private static byte[] linkedFrame(byte[] d) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        var params = new FramedLZ4CompressorOutputStream.Parameters(
                FramedLZ4CompressorOutputStream.BlockSize.K64, true, true, true);
        try (OutputStream z = new FramedLZ4CompressorOutputStream(bytes, params)) {
            z.write(d);
        }
        return bytes.toByteArray();
    }

    @Test
    void decodesFramesOfManyLinkedBlocks() throws IOException {
        byte[] d = data();
        byte[] frame = linkedFrame(d);
        assertEquals(0, frame[4] & 0x20, "blocks are linked");
        byte[][] out = {new byte[16]};
        int n = Lz4Frames.decompress(frame, frame.length, out, 1 << 20);
        assertArrayEquals(d, Arrays.copyOf(out[0], n));
    }

    @Test
    void decodesFramesOfManyIndependentBlocksWithChecksums() throws IOException {
        byte[] d = data();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream z = new LZ4FrameOutputStream(bytes, LZ4FrameOutputStream.BLOCKSIZE.SIZE_64KB,
                LZ4FrameOutputStream.FLG.Bits.BLOCK_INDEPENDENCE, LZ4FrameOutputStream.FLG.Bits.BLOCK_CHECKSUM)) {
            z.write(d);
        }
        byte[] frame = bytes.toByteArray();
        byte[][] out = {new byte[16]};
        int n = Lz4Frames.decompress(frame, frame.length, out, 1 << 20);
        assertArrayEquals(d, Arrays.copyOf(out[0], n));
    }

    @Test
    void refusesOutputBeyondItsLimitAndMalformedFrames() throws IOException {
        byte[] frame = linkedFrame(data());
        IOException big = assertThrows(IOException.class, () -> Lz4Frames.decompress(frame, frame.length, new byte[][] {new byte[16]}, 100_000));
        assertTrue(big.getMessage().contains("more than 100000"), big.getMessage());
        byte[] badMagic = frame.clone();
        badMagic[0] = 0;
        assertThrows(IOException.class, () -> Lz4Frames.decompress(badMagic, badMagic.length, new byte[][] {new byte[16]}, 1 << 20));
        IOException cut = assertThrows(IOException.class, () -> Lz4Frames.decompress(frame, 40, new byte[][] {new byte[16]}, 1 << 20));
        assertTrue(cut.getMessage().contains("exceeds the frame"), cut.getMessage());
    }

    @Test
    void aCutFrameDecodesToExactlyAPrefixOfItsData() throws IOException {
        byte[] d = data();
        byte[] frame = linkedFrame(d);
        int previous = 0;
        for (int len = 0; len <= frame.length; len += len < 64 ? 1 : 997) {
            byte[][] out = {new byte[16]};
            int n = Lz4Frames.decompressPrefix(frame, len, out, 1 << 20);
            assertTrue(n >= previous, "more input never decodes less: " + n + " after " + previous);
            assertArrayEquals(Arrays.copyOf(d, n), Arrays.copyOf(out[0], n), "cut at " + len);
            previous = n;
        }
        byte[][] out = {new byte[16]};
        assertEquals(d.length, Lz4Frames.decompressPrefix(frame, frame.length, out, 1 << 20));
        assertTrue(previous > d.length / 2, "most of the data decodes before the last cut: " + previous);
        byte[] damaged = frame.clone();
        damaged[7 + 3] = 0x7F; // the first block's size word: far beyond the 64 KiB block maximum
        IOException e = assertThrows(IOException.class,
                () -> Lz4Frames.decompressPrefix(damaged, damaged.length - 10, new byte[][] {new byte[16]}, 1 << 20));
        assertTrue(e.getMessage().contains("block maximum"), "damage before the cut is not a cut: " + e.getMessage());
    }
}
