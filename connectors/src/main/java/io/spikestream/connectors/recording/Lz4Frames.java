package io.spikestream.connectors.recording;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;

/**
 * Decompresses one LZ4 frame held in memory. The frame container (magic, flags, block sizes) is
 * walked here and each block goes to lz4-java's block decompressor. Linked blocks (each may refer
 * back into the previous one, as DV writes) need a dictionary that lz4-java cannot take; a frame
 * with more than one linked block therefore goes through commons-compress's frame reader. DV's
 * event packets are mostly one block, so they stay on the fast path.
 */
final class Lz4Frames {
    private static final int MAGIC = 0x184D2204;
    private static final LZ4SafeDecompressor BLOCKS = LZ4Factory.fastestInstance().safeDecompressor();

    private Lz4Frames() {}

    /**
     * Decompresses {@code src[0, len)} into {@code out[0]} (grown as needed, never beyond {@code max}).
     *
     * @return the decompressed length
     * @throws IOException for a malformed frame or output beyond {@code max}
     */
    static int decompress(byte[] src, int len, byte[][] out, int max) throws IOException {
        if (len < 7 || LittleEndian.i32(src, 0) != MAGIC) {
            throw new IOException("not an LZ4 frame (bad magic)");
        }
        int flg = src[4] & 0xFF;
        if ((flg >>> 6) != 1) {
            throw new IOException("unsupported LZ4 frame version " + (flg >>> 6));
        }
        boolean independent = (flg & 0x20) != 0;
        boolean blockChecksum = (flg & 0x10) != 0;
        int pos = 6 + ((flg & 0x08) != 0 ? 8 : 0) + ((flg & 0x01) != 0 ? 4 : 0) + 1;
        int maxBlock = 1 << (2 * ((src[5] >>> 4) & 7) + 8);
        if (!independent && compressedBlocks(src, len, pos, blockChecksum) > 1) {
            return viaCommonsCompress(src, len, out, max);
        }
        int n = 0;
        while (true) {
            if (pos + 4 > len) {
                throw new IOException("LZ4 frame ends inside a block header");
            }
            int word = LittleEndian.i32(src, pos);
            pos += 4;
            if (word == 0) {
                return n;
            }
            int size = word & 0x7FFFFFFF;
            if (size > len - pos || size > maxBlock) {
                throw new IOException("LZ4 block of " + size + " bytes exceeds the frame or its block maximum");
            }
            if (n + maxBlock > out[0].length) {
                if (n + maxBlock > max) {
                    throw new IOException("decompresses to more than " + max + " bytes");
                }
                out[0] = Arrays.copyOf(out[0], Math.min(max, Math.max(n + maxBlock, out[0].length * 2)));
            }
            if (word < 0) {
                System.arraycopy(src, pos, out[0], n, size);
                n += size;
            } else {
                try {
                    n += BLOCKS.decompress(src, pos, size, out[0], n, maxBlock);
                } catch (LZ4Exception e) {
                    throw new IOException("corrupt LZ4 block: " + e.getMessage());
                }
            }
            pos += size + (blockChecksum ? 4 : 0);
        }
    }

    private static int compressedBlocks(byte[] src, int len, int pos, boolean blockChecksum) {
        int blocks = 0;
        while (pos + 4 <= len) {
            int word = LittleEndian.i32(src, pos);
            if (word == 0) {
                break;
            }
            if (word > 0) {
                blocks++;
            }
            pos += 4 + (word & 0x7FFFFFFF) + (blockChecksum ? 4 : 0);
            if (pos < 0) {
                break;
            }
        }
        return blocks;
    }

    private static int viaCommonsCompress(byte[] src, int len, byte[][] out, int max) throws IOException {
        try (InputStream z = new FramedLZ4CompressorInputStream(new ByteArrayInputStream(src, 0, len))) {
            int n = 0;
            while (true) {
                if (n == out[0].length) {
                    if (n >= max) {
                        throw new IOException("decompresses to more than " + max + " bytes");
                    }
                    out[0] = Arrays.copyOf(out[0], Math.min(max, out[0].length * 2));
                }
                int r = z.read(out[0], n, out[0].length - n);
                if (r < 0) {
                    return n;
                }
                n += r;
            }
        }
    }
}
