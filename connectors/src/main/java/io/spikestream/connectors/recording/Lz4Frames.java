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

    /**
     * Decompresses the part of a frame cut after {@code len} bytes that decodes cleanly: every
     * complete block, then the complete sequences and the literals present of the cut block. Each
     * byte produced is the byte the whole frame would give at that place (LZ4 decodes strictly
     * front to back), so nothing is guessed. Linked blocks need no dictionary here: the output is
     * one buffer, and matches refer back into it.
     *
     * @return the length decoded (0 when the cut falls inside the frame header)
     * @throws IOException for damage before the cut: a bad magic number, an impossible block
     *     size, a match reaching before the start of the output, output beyond {@code max}
     */
    static int decompressPrefix(byte[] src, int len, byte[][] out, int max) throws IOException {
        if (len >= 4 && LittleEndian.i32(src, 0) != MAGIC) {
            throw new IOException("not an LZ4 frame (bad magic)");
        }
        if (len < 6) {
            return 0;
        }
        int flg = src[4] & 0xFF;
        if ((flg >>> 6) != 1) {
            throw new IOException("unsupported LZ4 frame version " + (flg >>> 6));
        }
        boolean blockChecksum = (flg & 0x10) != 0;
        int pos = 6 + ((flg & 0x08) != 0 ? 8 : 0) + ((flg & 0x01) != 0 ? 4 : 0) + 1;
        int maxBlock = 1 << (2 * ((src[5] >>> 4) & 7) + 8);
        int n = 0;
        while (pos + 4 <= len) {
            int word = LittleEndian.i32(src, pos);
            pos += 4;
            if (word == 0) {
                return n;
            }
            int size = word & 0x7FFFFFFF;
            if (size > maxBlock) {
                throw new IOException("LZ4 block of " + size + " bytes exceeds the frame's block maximum");
            }
            if (n + maxBlock > out[0].length) {
                if (n + maxBlock > max) {
                    throw new IOException("decompresses to more than " + max + " bytes");
                }
                out[0] = Arrays.copyOf(out[0], Math.min(max, Math.max(n + maxBlock, out[0].length * 2)));
            }
            int present = Math.min(size, len - pos);
            if (word < 0) {
                System.arraycopy(src, pos, out[0], n, present);
                n += present;
            } else {
                n = decodeSequences(src, pos, pos + present, out[0], n, n + maxBlock);
            }
            if (present < size) {
                return n;
            }
            pos += size + (blockChecksum ? 4 : 0);
        }
        return n;
    }

    /**
     * Decodes the LZ4 sequences in {@code src[sp, end)} into {@code dst} from {@code dp}, stopping
     * before a sequence whose match part is cut off (the literals present are kept).
     */
    private static int decodeSequences(byte[] src, int sp, int end, byte[] dst, int dp, int dmax) throws IOException {
        while (sp < end) {
            int token = src[sp++] & 0xFF;
            int lit = token >>> 4;
            if (lit == 15) {
                int b;
                do {
                    if (sp >= end) {
                        return dp;
                    }
                    b = src[sp++] & 0xFF;
                    lit += b;
                } while (b == 255);
            }
            int present = Math.min(lit, end - sp);
            if (dp + present > dmax) {
                throw new IOException("corrupt LZ4 block: literals overrun the block maximum");
            }
            System.arraycopy(src, sp, dst, dp, present);
            dp += present;
            sp += present;
            if (present < lit || sp + 2 > end) {
                return dp; // cut inside the literals or the offset (or the block's last sequence)
            }
            int offset = (src[sp] & 0xFF) | (src[sp + 1] & 0xFF) << 8;
            sp += 2;
            int match = token & 15;
            if (match == 15) {
                int b;
                do {
                    if (sp >= end) {
                        return dp;
                    }
                    b = src[sp++] & 0xFF;
                    match += b;
                } while (b == 255);
            }
            match += 4;
            if (offset == 0 || offset > dp) {
                throw new IOException("corrupt LZ4 block: match offset " + offset + " before the start of the output");
            }
            if (dp + match > dmax) {
                throw new IOException("corrupt LZ4 block: match overruns the block maximum");
            }
            for (int i = 0; i < match; i++) {
                dst[dp + i] = dst[dp - offset + i];
            }
            dp += match;
        }
        return dp;
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
