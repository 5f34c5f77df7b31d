package io.spikestream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.schemas.Classification;
import io.spikestream.schemas.DeadLetter;
import io.spikestream.schemas.EventPacket;
import io.spikestream.schemas.LayerSpikeRate;
import io.spikestream.schemas.SpikeStatistics;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private static final SensorGeometry G = new SensorGeometry(346, 260);

    static Classification classification() {
        return Classification.newBuilder()
                .setSensorId("cam-2").setWindowStartUs(1_000_000).setWindowEndUs(1_100_000).setWindowIndex(10)
                .setTopClass(3).setTopClassName("right_hand_wave")
                .setProbabilities(List.of(0.1f, 0.2f, 0.05f, 0.65f)).setLogits(List.of(-1f, 0f, -2f, 2.5f))
                .setSmoothedClass(3).setSmoothedClassName("right_hand_wave").setSmoothedProbabilities(List.of(0.2f, 0.2f, 0.1f, 0.5f))
                .setSpikes(SpikeStatistics.newBuilder().setSpikesPerNeuron(0.12).setSynapticOperations(3.5e7).setEnergyPicojoules(3.15e7)
                        .setLayerSpikeRates(List.of(new LayerSpikeRate("stem", 0.2f), new LayerSpikeRate("block1.conv1", 0.07f))).build())
                .setModelId("ms-resnet18-dvsgesture@1").setLatencyMs(12.5).setEmittedAtMs(1_790_000_000_000L)
                .build();
    }

    @Test
    void eventPacketsSurviveSerializeAndDeserializeWithEveryEvent() {
        EventBatch events = EventPacketCodecTest.randomEvents(11, 3001, G);
        EventPacket packet = EventPacketCodec.encode("cam-1", G, 77, events, 0, 3001);
        byte[] wire = new EventPacketSerializer().serialize("events", packet);
        EventPacket back = new EventPacketDeserializer().deserialize("events", wire);

        assertEquals(packet, back);
        EventBatch decoded = new EventBatch();
        EventPacketCodec.decode(back, decoded);
        assertTrue(events.sameEvents(decoded));
    }

    @Test
    void classificationsAndDeadLettersSurviveSerializeAndDeserialize() {
        Classification c = classification();
        assertEquals(c, new ClassificationDeserializer().deserialize("out", new ClassificationSerializer().serialize("out", c)));

        DeadLetter d = DeadLetters.of("events", 3, 12345, "x column holds 3 bytes", new byte[] {1, 2, 3});
        assertEquals(d, new DeadLetterDeserializer().deserialize("dlq", new DeadLetterSerializer().serialize("dlq", d)));
    }

    @Test
    void nullValuesAreTombstonesBothWays() {
        assertNull(new EventPacketSerializer().serialize("events", null));
        assertNull(new EventPacketDeserializer().deserialize("events", null));
    }

    @Test
    void everyTruncationOfAValidRecordIsACleanErrorNamingTheTopic() {
        byte[] wire = new ClassificationSerializer().serialize("out", classification());
        ClassificationDeserializer d = new ClassificationDeserializer();
        for (int len = 0; len < wire.length; len++) {
            byte[] cut = Arrays.copyOf(wire, len);
            SerializationException e = assertThrows(SerializationException.class, () -> d.deserialize("out", cut), "length " + len);
            assertTrue(e.getMessage().startsWith("topic out: not a valid Classification (" + len + " bytes): byte "), e.getMessage());
        }
    }

    @Test
    void aHostileLengthFieldIsRejectedBeforeAnythingIsAllocated() throws Exception {
        // sensorId "ab", then width/height/sequence/first/count, then an x column claiming 2 GB
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
        enc.writeString("ab");
        enc.writeInt(640);
        enc.writeInt(480);
        enc.writeLong(0);
        enc.writeLong(0);
        enc.writeInt(1);
        enc.writeLong(Integer.MAX_VALUE - 16);
        enc.flush();
        byte[] hostile = out.toByteArray();

        AvroBinary.Decoded<EventPacket> r = new EventPacketDeserializer().tryDeserialize(hostile);
        assertFalse(r.ok());
        assertTrue(r.problem().contains("(x): bytes length 2147483631 but only 0 bytes left"), r.problem());
    }

    @Test
    void trailingBytesAndRandomGarbageAreRejected() {
        byte[] wire = new DeadLetterSerializer().serialize("dlq", DeadLetters.of("f", -1, 7, "r", new byte[0]));
        byte[] longer = Arrays.copyOf(wire, wire.length + 2);
        AvroBinary.Decoded<DeadLetter> r = new DeadLetterDeserializer().tryDeserialize(longer);
        assertTrue(r.problem().contains("2 bytes left over after a complete DeadLetter"), r.problem());

        // random bytes never form a whole record (2000 tries decode none): each is rejected with a reason
        Random rnd = new Random(99);
        EventPacketDeserializer d = new EventPacketDeserializer();
        for (int i = 0; i < 2000; i++) {
            byte[] garbage = new byte[rnd.nextInt(64)];
            rnd.nextBytes(garbage);
            AvroBinary.Decoded<EventPacket> g = d.tryDeserialize(garbage);
            assertFalse(g.ok(), "garbage " + i + " decoded as " + g.value());
            assertTrue(g.problem().startsWith("not a valid EventPacket"), g.problem());
        }
    }

    @Test
    void wellFormedRecordsWithRandomContentAreDecodedInsideTheSensorOrRejectedWithAReason() {
        // what random bytes cannot reach: records the deserializer accepts whose counts, geometry and
        // columns are random, small enough that some happen to be consistent
        Random rnd = new Random(7);
        AvroBinary<EventPacket> binary = new AvroBinary<>(EventPacket.class);
        EventPacketDeserializer d = new EventPacketDeserializer();
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < 2000; i++) {
            int w = rnd.nextInt(6);
            int h = rnd.nextInt(6);
            int n = rnd.nextInt(4);
            EventPacket packet = new EventPacket();
            packet.setSensorId("g");
            packet.setWidth(w);
            packet.setHeight(h);
            packet.setSequence(i);
            packet.setFirstTimestampUs(rnd.nextInt(1000));
            packet.setEventCount(rnd.nextInt(5) == 0 ? rnd.nextInt(6) - 1 : n);
            packet.setX(column(rnd, n, 2, w + 1));
            packet.setY(column(rnd, n, 2, h + 1));
            packet.setPolarity(column(rnd, (n + 7) / 8, 1, 256));
            packet.setDt(column(rnd, n, 4, 100));
            AvroBinary.Decoded<EventPacket> g = d.tryDeserialize(binary.encode(packet));
            assertTrue(g.ok(), g.problem());
            EventBatch into = new EventBatch();
            EventPacketCodec.DecodeResult r = EventPacketCodec.tryDecode(g.value(), into);
            if (r.ok()) {
                decoded++;
                assertEquals(n, packet.getEventCount(), "a packet whose count disagrees with its columns was accepted");
                assertEquals(n, r.events());
                assertEquals(n, into.size());
                for (int e = 0; e < n; e++) {
                    assertTrue(into.x(e) < w && into.y(e) < h, "event " + e + " of packet " + i + " outside " + w + "x" + h);
                }
            } else {
                rejected++;
                assertTrue(r.problem().startsWith("EventPacket of sensor 'g' sequence " + i + ": "), r.problem());
                assertEquals(0, r.events());
                assertEquals(0, into.size(), "a rejected packet leaves nothing decoded");
            }
        }
        assertTrue(decoded > 100 && rejected > 100, decoded + " decoded, " + rejected + " rejected: both outcomes exercised");
    }

    /** {@code n} little-endian values of {@code width} bytes, each below {@code bound}. */
    private static ByteBuffer column(Random rnd, int n, int width, int bound) {
        ByteBuffer b = ByteBuffer.allocate(n * width).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            int v = rnd.nextInt(bound);
            if (width == 1) {
                b.put((byte) v);
            } else if (width == 2) {
                b.putShort((short) v);
            } else {
                b.putInt(v);
            }
        }
        return b.flip();
    }

    @Test
    void decodingReusesTheGivenRecord() {
        AvroBinary<EventPacket> binary = new AvroBinary<>(EventPacket.class);
        EventBatch events = EventPacketCodecTest.randomEvents(12, 100, G);
        EventPacket reuse = binary.decode(binary.encode(EventPacketCodec.encode("a", G, 0, events, 0, 100)), null);
        ByteBuffer x = reuse.getX();
        EventPacket second = binary.decode(binary.encode(EventPacketCodec.encode("a", G, 1, events, 10, 60)), reuse);
        assertEquals(1, second.getSequence());
        assertEquals(x.array(), second.getX().array());
        EventBatch back = new EventBatch();
        EventPacketCodec.decode(second, back);
        EventBatch expected = new EventBatch();
        expected.addAll(events, 10, 60);
        assertTrue(expected.sameEvents(back));
    }
}
