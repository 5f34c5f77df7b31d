package io.spikestream.connectors.recording;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds small recordings word by word, for decoder cases that no writer produces. */
final class SyntheticFiles {
    private SyntheticFiles() {}

    /** An EVT 3.0 file: the header lines, then the 16-bit words little-endian. */
    static byte[] evt3(String header, int... words) {
        ByteBuffer b = ByteBuffer.allocate(header.length() + 2 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        for (int w : words) {
            b.putShort((short) w);
        }
        return b.array();
    }

    /** An EVT 2.0 file: the header lines, then the 32-bit words little-endian. */
    static byte[] evt2(String header, int... words) {
        ByteBuffer b = ByteBuffer.allocate(header.length() + 4 * words.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        for (int w : words) {
            b.putInt(w);
        }
        return b.array();
    }

    /** An AEDAT 2.0 file: header lines (CRLF), then (address, timestamp) pairs big-endian. */
    static byte[] aedat2(String[] headerLines, int... addressTimestampPairs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String l : headerLines) {
            out.writeBytes((l + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        ByteBuffer b = ByteBuffer.allocate(4 * addressTimestampPairs.length).order(ByteOrder.BIG_ENDIAN);
        for (int v : addressTimestampPairs) {
            b.putInt(v);
        }
        out.writeBytes(b.array());
        return out.toByteArray();
    }

    /** The 28-byte AEDAT 3.1 packet header. */
    static byte[] aedat31PacketHeader(int type, int size, int tsOffset, int overflow, int capacity, int number, int valid) {
        ByteBuffer b = ByteBuffer.allocate(28).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) type).putShort((short) 1).putInt(size).putInt(tsOffset).putInt(overflow)
                .putInt(capacity).putInt(number).putInt(valid);
        return b.array();
    }

    static final String AEDAT31_HEADER = "#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DVS128\r\n#!END-HEADER\r\n";

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
