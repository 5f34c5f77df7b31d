package io.spikestream.connectors.bench;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.Evt2Writer;
import io.spikestream.connectors.recording.Recordings;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Makes a long recording for replay benchmarks by looping a real one: {@code IN OUT.raw N} writes
 * N back-to-back copies of IN as EVT 2.0, each shifted to start 1 µs after the previous copy ended.
 * A real recording keeps the real event statistics; looping gives a run long enough to measure.
 */
public final class PacketBenchRecording {
    private PacketBenchRecording() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: PacketBenchRecording IN OUT.raw COPIES");
            System.exit(2);
        }
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        int copies = Integer.parseInt(args[2]);
        EventBatch b = new EventBatch(1 << 16);
        long shift = 0;
        long events = 0;
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            Evt2Writer w = null;
            for (int c = 0; c < copies; c++) {
                long first = Long.MIN_VALUE;
                long last = 0;
                try (EventReader r = Recordings.open(in)) {
                    if (w == null) {
                        w = new Evt2Writer(out, os, r.geometry());
                    }
                    while (r.read(b, 1 << 16)) {
                        if (first == Long.MIN_VALUE) {
                            first = b.t(0);
                        }
                        long[] ts = b.ts();
                        for (int i = 0; i < b.size(); i++) {
                            ts[i] = ts[i] - first + shift;
                            last = Math.max(last, ts[i]);
                        }
                        w.write(b);
                        events += b.size();
                    }
                }
                shift = last + 1;
            }
            if (w != null) {
                w.close();
            }
        }
        System.out.println(out + ": " + events + " events, " + shift + " µs");
    }
}
