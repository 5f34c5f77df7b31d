package io.spikestream.connectors.bench;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.EventPacketCodec;
import io.spikestream.connectors.kafka.EventPacketDeserializer;
import io.spikestream.connectors.kafka.EventPacketSerializer;
import io.spikestream.connectors.kafka.EventPacketWire;
import io.spikestream.schemas.EventPacket;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * EventPacket throughput, one thread, one operation = one event: packets of 16384 Gen3 events
 * (640x480, about 1.5 ms at 10 M events/s). {@code encode}/{@code decode} are the column codec
 * alone (EventBatch to packed columns and back, validation included); {@code serialize} /
 * {@code deserialize} are the whole Kafka path (codec plus Avro binary through the Kafka serializer,
 * input guard included); {@code wireEncode} / {@code wireDecode} are the same bytes written straight
 * from and read straight into EventBatch columns ({@code EventPacketWire}, used by replay).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PacketCodecBenchmark {
    static final int EVENTS = 16384;
    private static final SensorGeometry GEN3 = new SensorGeometry(640, 480);

    private final EventBatch events = new EventBatch(EVENTS);
    private final EventBatch decoded = new EventBatch(EVENTS);
    private final EventPacket reused = new EventPacket();
    private final EventPacketSerializer serializer = new EventPacketSerializer();
    private final EventPacketDeserializer deserializer = new EventPacketDeserializer();
    private EventPacket packet;
    private byte[] wire;
    private long sequence;

    @Setup(Level.Trial)
    public void setUp() {
        Random r = new Random(7);
        long t = 5_000_000;
        for (int i = 0; i < EVENTS; i++) {
            t += r.nextInt(3) == 0 ? 1 : 0; // about 10 M events/s
            events.add(t, r.nextInt(640), r.nextInt(480), r.nextInt(2));
        }
        packet = EventPacketCodec.encode("gen3", GEN3, 0, events, 0, EVENTS);
        wire = serializer.serialize("events", packet);
        EventPacketCodec.decode(deserializer.deserialize("events", wire), decoded);
        if (!events.sameEvents(decoded)) {
            throw new IllegalStateException("round trip broken");
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public EventPacket encode() {
        return EventPacketCodec.encodeInto(reused, "gen3", GEN3, sequence++, events, 0, EVENTS);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int decode() {
        return EventPacketCodec.decode(packet, decoded);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public byte[] serialize() {
        return serializer.serialize("events", EventPacketCodec.encodeInto(reused, "gen3", GEN3, sequence++, events, 0, EVENTS));
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int deserialize() {
        return EventPacketCodec.decode(deserializer.deserialize("events", wire), decoded);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public byte[] wireEncode() {
        return EventPacketWire.encode("gen3", GEN3, sequence++, events, 0, EVENTS);
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public int wireDecode() {
        return EventPacketWire.decode(wire, decoded).eventCount();
    }
}
