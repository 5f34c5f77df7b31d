package io.spikestream.connectors.recording;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.Zstd;
import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AEDAT 4.0 packets decode whether stored uncompressed, as LZ4 frames or as ZSTD frames. */
class Aedat4CompressionTest {
    static final SensorGeometry G = new SensorGeometry(346, 260);

    @TempDir Path dir;

    /** Rewrites an LZ4 file of spikestream's writer with every packet stored as {@code target}. */
    static byte[] recompress(byte[] lz4File, SensorGeometry g, Aedat4Reader.Compression target) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(lz4File).order(ByteOrder.LITTLE_ENDIAN);
        int pos = Aedat4Reader.VERSION_LINE.length();
        pos += 4 + in.getInt(pos);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(Aedat4Reader.VERSION_LINE.getBytes(StandardCharsets.US_ASCII));
        byte[] header = Aedat4Writer.ioHeader(Aedat4Writer.infoNode(g), target);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(header.length).array());
        out.writeBytes(header);
        while (pos < lz4File.length) {
            int stream = in.getInt(pos);
            int size = in.getInt(pos + 4);
            byte[] frame = Arrays.copyOfRange(lz4File, pos + 8, pos + 8 + size);
            byte[][] plain = {new byte[16]};
            int n = Lz4Frames.decompress(frame, frame.length, plain, 1 << 26);
            byte[] raw = Arrays.copyOf(plain[0], n);
            byte[] stored = target == Aedat4Reader.Compression.ZSTD ? Zstd.compress(raw) : raw;
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(stream).putInt(stored.length).array());
            out.writeBytes(stored);
            pos += 8 + size;
        }
        return out.toByteArray();
    }

    @Test
    void uncompressedAndZstdPacketsDecodeToTheSameEvents() throws IOException {
        EventBatch events = TestEvents.random(11, 50_000, RoundTripTest.UNIX_US, 30, G);
        Path lz4 = dir.resolve("lz4.aedat4");
        try (EventWriter w = Recordings.writer(lz4, G)) {
            w.write(events);
        }
        for (Aedat4Reader.Compression c : new Aedat4Reader.Compression[] {Aedat4Reader.Compression.NONE, Aedat4Reader.Compression.ZSTD}) {
            Path f = dir.resolve(c + ".aedat4");
            Files.write(f, recompress(Files.readAllBytes(lz4), G, c));
            try (EventReader r = Recordings.open(f)) {
                EventBatch back = TestEvents.readAll(r, 7_000);
                assertTrue(events.sameEvents(back), c + ": " + TestEvents.describeFirstDifference(events, back));
            }
        }
    }
}
