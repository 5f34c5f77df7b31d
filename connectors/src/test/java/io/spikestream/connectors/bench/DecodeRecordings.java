package io.spikestream.connectors.bench;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.recording.Aedat31Writer;
import io.spikestream.connectors.recording.Aedat4Writer;
import io.spikestream.connectors.recording.EventWriter;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.Evt2Reader;
import io.spikestream.testkit.SharedData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Large in-memory recordings for the decoder benchmarks, built from the real samples in
 * shared/data/real so that word-type mixes and event densities are those of real cameras: the
 * Prophesee payloads are repeated after their header, and the EVT 2.0 sample's events, shifted
 * in time per copy, are written as AEDAT 3.1 and AEDAT 4.0.
 */
final class DecodeRecordings {
    private DecodeRecordings() {}

    /** A real sample of {@code shared/data/real} ({@link SharedData}); benchmarks cannot skip, so its absence is an error. */
    static Path real(String name) {
        return SharedData.find("data/real/" + name).orElseThrow(() -> new IllegalStateException(
                "real sample " + name + " not found: pass -D" + SharedData.PROPERTY + "=/path/to/shared"));
    }

    /** The file's header followed by its payload {@code copies} times. */
    static byte[] repeatPayload(Path raw, int headerBytes, int copies) throws IOException {
        byte[] all = Files.readAllBytes(raw);
        int payload = all.length - headerBytes;
        byte[] out = new byte[headerBytes + payload * copies];
        System.arraycopy(all, 0, out, 0, headerBytes);
        for (int c = 0; c < copies; c++) {
            System.arraycopy(all, headerBytes, out, headerBytes + c * payload, payload);
        }
        return out;
    }

    /** Bytes before the first payload word: the {@code %} header lines. */
    static int rawHeaderBytes(Path raw) throws IOException {
        byte[] all = Files.readAllBytes(raw);
        int p = 0;
        while (p < all.length && all[p] == '%') {
            while (all[p] != '\n') {
                p++;
            }
            p++;
        }
        return p;
    }

    /** Writes events in some format into memory. */
    interface WriterFactory {
        EventWriter open(ByteArrayOutputStream out, SensorGeometry g) throws IOException;
    }

    /** The EVT 2.0 sample's events {@code copies} times, each copy later by the sample's span, as AEDAT 3.1. */
    static byte[] aedat31(int copies) throws IOException {
        return evt2SampleAs(copies, (out, g) -> new Aedat31Writer(Path.of("memory.aedat"), out, g));
    }

    /** The same events as AEDAT 4.0 (LZ4 packets of spikestream's writer). */
    static byte[] aedat4(int copies) throws IOException {
        return evt2SampleAs(copies, (out, g) -> new Aedat4Writer(Path.of("memory.aedat4"), out, g));
    }

    private static byte[] evt2SampleAs(int copies, WriterFactory factory) throws IOException {
        Path evt2 = real("prophesee_gen3_evt2_sample.raw");
        EventBatch all = new EventBatch(1 << 20);
        try (EventReader r = new Evt2Reader(evt2)) {
            EventBatch b = new EventBatch();
            while (r.read(b, 1 << 16)) {
                all.addAll(b, 0, b.size());
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long span = all.t(all.size() - 1) - all.t(0) + 1;
            try (EventWriter w = factory.open(out, r.geometry())) {
                EventBatch shifted = all.copy();
                for (int c = 0; c < copies; c++) {
                    w.write(shifted);
                    long[] ts = shifted.ts();
                    for (int i = 0; i < shifted.size(); i++) {
                        ts[i] += span;
                    }
                }
            }
            return out.toByteArray();
        }
    }

}
