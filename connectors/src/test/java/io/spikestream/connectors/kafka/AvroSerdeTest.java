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

        Random rnd = new Random(99);
        EventPacketDeserializer d = new EventPacketDeserializer();
        for (int i = 0; i < 2000; i++) {
            byte[] garbage = new byte[rnd.nextInt(64)];
            rnd.nextBytes(garbage);
            AvroBinary.Decoded<EventPacket> g = d.tryDeserialize(garbage);
            // garbage may by chance be a well-formed record; then the codec must still judge it safely
            if (g.ok()) {
                EventPacketCodec.tryDecode(g.value(), new EventBatch());
            } else {
                assertTrue(g.problem().startsWith("not a valid EventPacket"), g.problem());
            }
        }
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
