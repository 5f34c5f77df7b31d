package io.spikestream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.schemas.EventPacket;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventPacketWireTest {
    private static final SensorGeometry G = new SensorGeometry(1280, 720);
    private final EventPacketSerializer serializer = new EventPacketSerializer();
    /** Avro's own SpecificDatumWriter/Reader for the current schema: the reference for every byte. */
    private final AvroBinary<EventPacket> avro = new AvroBinary<>(EventPacket.class);

    @Test
    void theKafkaSerdeWritesAndReadsExactlyWhatAvrosGenericWriterAndReaderDo() {
        EventBatch events = RandomEvents.of(38, 3000, G);
        for (int[] s : new int[][] {{0, 0}, {0, 9}, {17, 3000}}) {
            EventPacket p = EventPacketCodec.encode("cam-ß", G, s[1], events, s[0], s[1]);
            byte[] reference = avro.encode(p);
            assertArrayEquals(reference, serializer.serialize("t", p));
            EventPacket read = new EventPacketDeserializer().deserialize("t", reference);
            assertEquals(avro.decode(reference, null), read);
            // a record read from the wire has columns that are views into a larger array
            assertArrayEquals(reference, serializer.serialize("t", read));
        }
    }

    @Test
    void writesExactlyTheBytesOfTheAvroSerializer() {
        EventBatch events = RandomEvents.of(31, 5000, G);
        String[] ids = {"cam-1", "", "kamera-ü-東京"};
        long[] sequences = {0, 1, 63, 64, -1, Long.MAX_VALUE};
        int[][] slices = {{0, 0}, {0, 1}, {3, 11}, {100, 4100}, {0, 5000}};
        for (String id : ids) {
            for (long seq : sequences) {
                for (int[] s : slices) {
                    byte[] generic = avro.encode(EventPacketCodec.encode(id, G, seq, events, s[0], s[1]));
                    assertArrayEquals(generic, EventPacketWire.encode(id, G, seq, events, s[0], s[1]),
                            "sensor '" + id + "' sequence " + seq + " events " + Arrays.toString(s));
                }
            }
        }
        EventBatch old = new EventBatch();
        old.add(-5_000_000_000L, 0, 0, 1); // negative and large timestamps take long varints
        assertArrayEquals(avro.encode(EventPacketCodec.encode("n", new SensorGeometry(65535, 1), 7, old, 0, 1)),
                EventPacketWire.encode("n", new SensorGeometry(65535, 1), 7, old, 0, 1));
    }

    @Test
    void decodesWhatTheAvroSerializerWroteAndViceVersa() {
        EventBatch events = RandomEvents.of(32, 7000, G);
        EventBatch back = new EventBatch();
        EventPacketHeader h = EventPacketWire.decode(serializer.serialize("t", EventPacketCodec.encode("cam", G, 5, events, 10, 6010)), back);
        EventBatch expected = new EventBatch();
        expected.addAll(events, 10, 6010);
        assertTrue(expected.sameEvents(back));
        assertEquals(new EventPacketHeader("cam", 1280, 720, 5, events.t(10), 6000), h);

        EventPacket viaAvro = new EventPacketDeserializer().deserialize("t", EventPacketWire.encode("cam", G, 5, events, 10, 6010));
        EventPacketCodec.decode(viaAvro, back);
        assertTrue(expected.sameEvents(back));
    }

    @Test
    void everyTruncationIsACleanErrorWithTheByteOffset() {
        byte[] wire = EventPacketWire.encode("cam", G, 1, RandomEvents.of(33, 20, G), 0, 20);
        for (int len = 0; len < wire.length; len++) {
            byte[] cut = Arrays.copyOf(wire, len);
            InvalidAvroDataException e = assertThrows(InvalidAvroDataException.class, () -> EventPacketWire.decode(cut, new EventBatch()));
            assertTrue(e.getMessage().startsWith("not a valid EventPacket (" + len + " bytes): byte "), e.getMessage());
        }
        byte[] longer = Arrays.copyOf(wire, wire.length + 1);
        EventPacketWire.Decoded d = EventPacketWire.tryDecode(longer, new EventBatch());
        assertTrue(d.problem().endsWith("1 bytes left over after a complete EventPacket"), d.problem());
    }

    @Test
    void invalidColumnsNameThePacket() {
        EventBatch events = RandomEvents.of(34, 10, G);
        EventPacket p = EventPacketCodec.encode("cam-3", G, 12, events, 0, 10);
        p.setWidth(100);
        byte[] wire = serializer.serialize("t", p);
        InvalidEventPacketException e = assertThrows(InvalidEventPacketException.class, () -> EventPacketWire.decode(wire, new EventBatch()));
        assertEquals("cam-3", e.sensorId());
        assertEquals(12, e.sequence());
        assertTrue(e.problem().contains("lies outside the declared sensor 100x720"), e.problem());
    }

    @Test
    void garbageNeverEscapesTryDecodeAndLeavesTheBatchEmpty() {
        Random r = new Random(35);
        EventBatch into = RandomEvents.of(36, 3, G);
        byte[] valid = EventPacketWire.encode("c", G, 0, RandomEvents.of(37, 40, G), 0, 40);
        for (int i = 0; i < 5000; i++) {
            byte[] garbage = i % 2 == 0 ? new byte[r.nextInt(80)] : valid.clone();
            if (i % 2 == 0) {
                r.nextBytes(garbage);
            } else {
                garbage[r.nextInt(garbage.length)] ^= (byte) (1 << r.nextInt(8));
            }
            EventPacketWire.Decoded d = EventPacketWire.tryDecode(garbage, into);
            if (!d.ok()) {
                assertEquals(0, into.size());
                assertFalse(d.problem().isEmpty());
            } else {
                assertEquals(d.header().eventCount(), into.size());
            }
        }
        assertFalse(EventPacketWire.tryDecode(null, into).ok());
    }
}
