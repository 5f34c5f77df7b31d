package io.spikestream.connectors.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacketCutterTest {
    private static final SensorGeometry G = new SensorGeometry(32, 32);

    private static List<EventBatch> cut(EventBatch events, int chunk, long packetUs, int maxEvents) throws IOException {
        PacketCutter cutter = new PacketCutter(new BatchReader(events, G, chunk), packetUs, maxEvents);
        List<EventBatch> packets = new ArrayList<>();
        EventBatch p = new EventBatch();
        while (cutter.next(p)) {
            packets.add(p.copy());
        }
        assertFalse(cutter.next(p), "stays exhausted");
        assertEquals(0, p.size());
        return packets;
    }

    private static EventBatch at(long... times) {
        EventBatch b = new EventBatch();
        for (int i = 0; i < times.length; i++) {
            b.add(times[i], i % 32, (i / 32) % 32, i % 2);
        }
        return b;
    }

    private static List<List<Long>> times(List<EventBatch> packets) {
        List<List<Long>> out = new ArrayList<>();
        for (EventBatch p : packets) {
            List<Long> t = new ArrayList<>();
            for (int i = 0; i < p.size(); i++) {
                t.add(p.t(i));
            }
            out.add(t);
        }
        return out;
    }

    @Test
    void cutsOnAGridOfPacketSpansFromTheFirstEventAndSkipsEmptyWindows() throws IOException {
        EventBatch events = at(100, 150, 1099, 1100, 1500, 5200, 5201);
        assertEquals(List.of(List.of(100L, 150L, 1099L), List.of(1100L, 1500L), List.of(5200L, 5201L)),
                times(cut(events, 1000, 1000, 1000)));
    }

    @Test
    void packetsAreTheSameWhateverTheReaderChunkSize() throws IOException {
        EventBatch events = at(100, 150, 1099, 1100, 1500, 5200, 5201);
        List<List<Long>> expected = times(cut(events, 1000, 1000, 1000));
        for (int chunk = 1; chunk <= 7; chunk++) {
            assertEquals(expected, times(cut(events, chunk, 1000, 1000)), "chunk " + chunk);
        }
    }

    @Test
    void anEventSteppingBackAFewMicrosecondsStaysInFileOrder() throws IOException {
        EventBatch events = at(0, 990, 1001, 996, 1003, 2100);
        assertEquals(List.of(List.of(0L, 990L), List.of(1001L, 996L, 1003L), List.of(2100L)),
                times(cut(events, 2, 1000, 1000)));
    }

    @Test
    void aBusyWindowIsSplitIntoFullPackets() throws IOException {
        EventBatch events = at(0, 1, 2, 3, 4, 5, 6, 1000);
        assertEquals(List.of(List.of(0L, 1L, 2L), List.of(3L, 4L, 5L), List.of(6L), List.of(1000L)),
                times(cut(events, 4, 1000, 3)));
    }

    @Test
    void concatenatedPacketsAreExactlyTheRecording() throws IOException {
        EventBatch events = io.spikestream.connectors.kafka.RandomEvents.of(5, 20_000, G);
        EventBatch joined = new EventBatch();
        List<EventBatch> packets = cut(events, 777, 250, 100);
        for (EventBatch p : packets) {
            assertTrue(p.size() <= 100);
            joined.addAll(p, 0, p.size());
        }
        assertTrue(events.sameEvents(joined));
    }
}
