package io.spikestream.connectors.bench;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.EventPacketCodec;
import io.spikestream.connectors.kafka.EventPacketDeserializer;
import io.spikestream.connectors.kafka.EventPacketSerializer;
import io.spikestream.connectors.kafka.EventPacketWire;
import io.spikestream.schemas.EventPacket;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Random;

/**
 * The operations of {@link PacketCodecBenchmark} timed by this thread's CPU time instead of wall
 * time. Why: on the shared 2-core machine other builds steal the core from a JMH run and its
 * wall-clock scores fall with the load; CPU time shows what the code itself costs. JMH stays the
 * reference measurement; this is a cross-check. Prints events/s per operation for a few rounds.
 */
public final class PacketCpuTime {
    private PacketCpuTime() {}

    public static void main(String[] args) {
        int n = PacketCodecBenchmark.EVENTS;
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 4000;
        SensorGeometry g = new SensorGeometry(640, 480);
        EventBatch events = new EventBatch(n);
        EventBatch out = new EventBatch(n);
        Random r = new Random(7);
        long t = 5_000_000;
        for (int i = 0; i < n; i++) {
            t += r.nextInt(3) == 0 ? 1 : 0;
            events.add(t, r.nextInt(640), r.nextInt(480), r.nextInt(2));
        }
        EventPacket reuse = new EventPacket();
        EventPacket packet = EventPacketCodec.encode("gen3", g, 0, events, 0, n);
        EventPacketSerializer ser = new EventPacketSerializer();
        EventPacketDeserializer de = new EventPacketDeserializer();
        byte[] wire = ser.serialize("events", packet);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sink = 0;
        for (int round = 0; round < 5; round++) {
            long[] c = new long[7];
            c[0] = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < reps; i++) {
                sink += EventPacketCodec.encodeInto(reuse, "gen3", g, i, events, 0, n).getEventCount();
            }
            c[1] = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < reps; i++) {
                sink += EventPacketCodec.decode(packet, out);
            }
            c[2] = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < reps; i++) {
                sink += ser.serialize("events", EventPacketCodec.encodeInto(reuse, "gen3", g, i, events, 0, n)).length;
            }
            c[3] = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < reps; i++) {
                sink += EventPacketCodec.decode(de.deserialize("events", wire), out);
            }
            c[4] = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < reps; i++) {
                sink += EventPacketWire.encode("gen3", g, i, events, 0, n).length;
            }
            c[5] = mx.getCurrentThreadCpuTime();
            for (int i = 0; i < reps; i++) {
                sink += EventPacketWire.decode(wire, out).eventCount();
            }
            c[6] = mx.getCurrentThreadCpuTime();
            double ev = (double) reps * n * 1e3; // events per ns -> M events/s
            System.out.printf(Locale.ROOT, "round %d (M events/s of CPU time): encode %.0f decode %.0f serialize %.0f "
                            + "deserialize %.0f wireEncode %.0f wireDecode %.0f%n", round,
                    ev / (c[1] - c[0]), ev / (c[2] - c[1]), ev / (c[3] - c[2]), ev / (c[4] - c[3]), ev / (c[5] - c[4]), ev / (c[6] - c[5]));
        }
        if (sink == 42) {
            System.out.println(); // keeps the results alive
        }
    }
}
