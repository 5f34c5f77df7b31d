package io.spikestream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.schemas.EventPacket;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class EventPacketCodecTest {
    private static final SensorGeometry GEN3 = new SensorGeometry(640, 480);

    static EventBatch randomEvents(long seed, int n, SensorGeometry g) {
        return RandomEvents.of(seed, n, g);
    }

    @Test
    void roundTripsASliceOfABatchExactly() {
        EventBatch events = randomEvents(1, 10_000, GEN3);
        EventPacket packet = EventPacketCodec.encode("cam-1", GEN3, 42, events, 1234, 1234 + 5003);

        EventBatch back = new EventBatch(16);
        back.add(5, 5, 5, 1); // decode must replace what was there
        assertEquals(5003, EventPacketCodec.decode(packet, back));

        EventBatch expected = new EventBatch();
        expected.addAll(events, 1234, 1234 + 5003);
        assertTrue(expected.sameEvents(back), "decoded events differ from the encoded slice");
        assertEquals("cam-1", packet.getSensorId());
        assertEquals(42, packet.getSequence());
        assertEquals(640, packet.getWidth());
        assertEquals(480, packet.getHeight());
        assertEquals(events.t(1234), packet.getFirstTimestampUs());
        assertEquals(GEN3, EventPacketCodec.geometry(packet));
    }

    @Test
    void roundTripsEveryCountAroundThePolarityByteBoundary() {
        EventBatch events = randomEvents(2, 40, GEN3);
        for (int n = 0; n <= 17; n++) {
            EventBatch back = new EventBatch();
            EventPacketCodec.decode(EventPacketCodec.encode("s", GEN3, n, events, 3, 3 + n), back);
            EventBatch expected = new EventBatch();
            expected.addAll(events, 3, 3 + n);
            assertTrue(expected.sameEvents(back), "count " + n);
        }
    }

    @Test
    void writesTheLayoutDocumentedInTheSchema() {
        EventBatch b = new EventBatch();
        b.add(1000, 1, 2, 1);
        b.add(1003, 0x0102, 0x0304, 0);
        b.add(998, 7, 9, 1); // steps back 2 µs: dt = -2
        EventPacket p = EventPacketCodec.encode("s", new SensorGeometry(1280, 1000), 0, b, 0, 3);

        assertEquals(1000, p.getFirstTimestampUs());
        assertEquals(3, p.getEventCount());
        assertArrayEquals(new byte[] {1, 0, 2, 1, 7, 0}, bytes(p.getX()));
        assertArrayEquals(new byte[] {2, 0, 4, 3, 9, 0}, bytes(p.getY()));
        assertArrayEquals(new byte[] {0b101}, bytes(p.getPolarity()));
        assertArrayEquals(new byte[] {0, 0, 0, 0, 3, 0, 0, 0, -2, -1, -1, -1}, bytes(p.getDt()));
    }

    @Test
    void encodingIntoAPacketReusesItsColumnBuffers() {
        EventBatch events = randomEvents(3, 2000, GEN3);
        EventPacket reused = EventPacketCodec.encode("s", GEN3, 0, events, 0, 2000);
        byte[] xArray = reused.getX().array();
        EventPacket again = EventPacketCodec.encodeInto(reused, "s", GEN3, 1, events, 500, 1500);
        assertSame(reused, again);
        assertSame(xArray, again.getX().array());
        EventBatch back = new EventBatch();
        EventPacketCodec.decode(again, back);
        EventBatch expected = new EventBatch();
        expected.addAll(events, 500, 1500);
        assertTrue(expected.sameEvents(back));
    }

    @Test
    void refusesToEncodeEventsOutsideTheSensorOrTooFarApartInTime() {
        EventBatch b = new EventBatch();
        b.add(0, 640, 10, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EventPacketCodec.encode("cam", GEN3, 0, b, 0, 1));
        assertTrue(e.getMessage().contains("outside the sensor 640x480"), e.getMessage());

        EventBatch far = new EventBatch();
        far.add(0, 1, 1, 1);
        far.add(1L << 31, 1, 1, 1);
        e = assertThrows(IllegalArgumentException.class, () -> EventPacketCodec.encode("cam", GEN3, 0, far, 0, 2));
        assertTrue(e.getMessage().contains("2^31"), e.getMessage());
    }

    @Test
    void rejectsColumnsWhoseLengthsDoNotMatchTheCount() {
        assertRejected(p -> p.setX(ByteBuffer.wrap(new byte[18])), "x column holds 18 bytes, expected 20 for 10 events");
        assertRejected(p -> p.setY(ByteBuffer.wrap(new byte[22])), "y column holds 22 bytes");
        assertRejected(p -> p.setPolarity(ByteBuffer.wrap(new byte[1])), "polarity column holds 1 bytes, expected 2");
        assertRejected(p -> p.setDt(ByteBuffer.wrap(new byte[39])), "dt column holds 39 bytes");
    }

    @Test
    void rejectsCountsOutOfBoundsWithoutAllocatingForThem() {
        assertRejected(p -> p.setEventCount(-1), "event count -1 outside");
        assertRejected(p -> p.setEventCount(Integer.MAX_VALUE), "event count 2147483647 outside");
        assertRejected(p -> p.setEventCount(EventPacketCodec.MAX_EVENTS), "x column holds 20 bytes, expected 33554432");
    }

    @Test
    void rejectsCoordinatesOutsideTheDeclaredGeometry() {
        assertRejected(p -> p.setWidth(3), "lies outside the declared sensor 3x480");
        assertRejected(p -> p.setHeight(0), "impossible sensor geometry 640x0");
        assertRejected(p -> p.setWidth(70000), "impossible sensor geometry 70000x480");
    }

    @Test
    void rejectsAFirstEventThatIsNotAtTheFirstTimestampAndDirtyPaddingBits() {
        assertRejected(p -> p.getDt().array()[0] = 5, "dt of the first event is 5, must be 0");
        assertRejected(p -> p.getPolarity().array()[1] |= (byte) 0x80, "polarity padding bits after event 9 are not 0");
    }

    @Test
    void tryDecodeNamesThePacketAndLeavesTheBatchEmpty() {
        EventPacket p = tenEvents();
        p.setX(ByteBuffer.wrap(new byte[3]));
        EventBatch into = randomEvents(4, 5, GEN3);
        EventPacketCodec.DecodeResult r = EventPacketCodec.tryDecode(p, into);
        assertFalse(r.ok());
        assertTrue(r.problem().startsWith("EventPacket of sensor 'cam-7' sequence 9: x column"), r.problem());
        assertEquals(0, into.size());

        EventPacketCodec.DecodeResult good = EventPacketCodec.tryDecode(tenEvents(), into);
        assertTrue(good.ok());
        assertEquals(10, good.events());
        assertEquals(10, into.size());
    }

    private static EventPacket tenEvents() {
        return EventPacketCodec.encode("cam-7", GEN3, 9, randomEvents(5, 10, GEN3), 0, 10);
    }

    private static void assertRejected(Consumer<EventPacket> corrupt, String expectedProblem) {
        EventPacket p = tenEvents();
        corrupt.accept(p);
        InvalidEventPacketException e = assertThrows(InvalidEventPacketException.class,
                () -> EventPacketCodec.decode(p, new EventBatch()));
        assertTrue(e.getMessage().startsWith("EventPacket of sensor 'cam-7' sequence 9: "), e.getMessage());
        assertTrue(e.problem().contains(expectedProblem), e.problem());
        assertEquals("cam-7", e.sensorId());
        assertEquals(9, e.sequence());
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
