package io.spikestream.connectors.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.EventPacketCodec;
import io.spikestream.connectors.kafka.EventPacketDeserializer;
import io.spikestream.connectors.kafka.RandomEvents;
import io.spikestream.schemas.EventPacket;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class ReplayerTest {
    private static final SensorGeometry G = new SensorGeometry(240, 180);

    /** Keeps every packet sent, decoded with the plain Avro deserializer, and acknowledges or fails each at once. */
    private static final class RecordingProducer extends MockProducer<String, byte[]> {
        final List<String> keys = new ArrayList<>();
        final List<EventPacket> packets = new ArrayList<>();
        int failAt = -1;

        RecordingProducer() {
            super(false, null, new StringSerializer(), new ByteArraySerializer());
        }

        @Override
        public synchronized Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
            Future<RecordMetadata> f = super.send(record, callback);
            keys.add(record.key());
            packets.add(new EventPacketDeserializer().deserialize("t", record.value()));
            if (packets.size() - 1 == failAt) {
                errorNext(new TimeoutException("Expiring 1 record(s) for events-0: 120000 ms has passed since batch creation"));
            } else {
                completeNext();
            }
            return f;
        }
    }

    private static EventBatch concat(List<EventPacket> packets) {
        EventBatch all = new EventBatch();
        EventBatch one = new EventBatch();
        for (EventPacket p : packets) {
            EventPacketCodec.decode(p, one);
            all.addAll(one, 0, one.size());
        }
        return all;
    }

    @Test
    void publishesEverySensorsEventsInOrderKeyedBySensorWithConsecutiveSequences() throws IOException {
        EventBatch a = RandomEvents.of(1, 30_000, G, 1_000_000, 20);
        EventBatch b = RandomEvents.of(2, 10_000, G, 9_000_000_000L, 60);
        RecordingProducer producer = new RecordingProducer();
        ReplaySummary s = Replayer.replay(List.of(new ReplaySource("a", new BatchReader(a, G, 5000)),
                        new ReplaySource("b", new BatchReader(b, G, 333))),
                ReplayOptions.realTime("events").withMaxSpeed().withPacketUs(500), producer, ProgressListener.NONE);

        assertEquals(40_000, s.events());
        assertEquals(producer.packets.size(), s.packets());
        assertEquals(2, s.sensors());
        Map<String, List<EventPacket>> bySensor = new HashMap<>();
        for (int i = 0; i < producer.packets.size(); i++) {
            EventPacket p = producer.packets.get(i);
            assertEquals(p.getSensorId(), producer.keys.get(i), "key is the sensor id");
            bySensor.computeIfAbsent(p.getSensorId(), k -> new ArrayList<>()).add(p);
        }
        for (Map.Entry<String, EventBatch> e : Map.of("a", a, "b", b).entrySet()) {
            List<EventPacket> ps = bySensor.get(e.getKey());
            for (int i = 0; i < ps.size(); i++) {
                assertEquals(i, ps.get(i).getSequence());
                assertEquals(240, ps.get(i).getWidth());
            }
            assertTrue(e.getValue().sameEvents(concat(ps)), "events of sensor " + e.getKey());
        }
    }

    @Test
    void interleavesSensorsByTheTimeSinceTheirOwnFirstEvent() throws IOException {
        EventBatch early = RandomEvents.of(3, 2000, G, 0, 20);
        EventBatch late = RandomEvents.of(4, 2000, G, 5_000_000_000L, 20);
        RecordingProducer producer = new RecordingProducer();
        Replayer.replay(List.of(new ReplaySource("early", new BatchReader(early, G, 100)), new ReplaySource("late", new BatchReader(late, G, 100))),
                ReplayOptions.realTime("events").withMaxSpeed().withPacketUs(1000), producer, null);
        long[] first = new long[2];
        long previousDue = Long.MIN_VALUE;
        EventBatch decoded = new EventBatch();
        for (EventPacket p : producer.packets) {
            int k = p.getSensorId().equals("early") ? 0 : 1;
            if (p.getSequence() == 0) {
                first[k] = p.getFirstTimestampUs();
            }
            EventPacketCodec.decode(p, decoded);
            long due = decoded.t(decoded.size() - 1) - first[k]; // complete when its last event happened
            assertTrue(due >= previousDue, "packets go out in event time since each sensor's start, not absolute time");
            previousDue = due;
        }
        assertTrue(producer.packets.stream().limit(10).anyMatch(p -> p.getSensorId().equals("late")), "both sensors start together");
    }

    @Test
    void pacesPacketsToEventTimeDividedBySpeed() throws IOException {
        EventBatch events = new EventBatch();
        for (int i = 0; i <= 40; i++) {
            events.add(10_000_000L + i * 10_000L, i, i, 1); // 400 ms of event time
        }
        List<ReplayProgress> progress = new ArrayList<>();
        ReplaySummary s = Replayer.replay(List.of(new ReplaySource("cam", new BatchReader(events, G, 7))),
                ReplayOptions.realTime("events").withSpeed(2.0), new RecordingProducer(), progress::add);
        assertTrue(s.seconds() >= 0.195, "400 ms of events at speed 2 took only " + s.seconds() + " s");
        assertEquals(41, s.packets());
        assertEquals(2.0, s.speed());
        ReplayProgress last = progress.get(progress.size() - 1);
        assertEquals(41, last.events());
        assertEquals(400_000, last.eventTimeUs());
    }

    @Test
    void aPacketTheBrokerNeverAcknowledgedFailsTheReplayNamingIt() {
        RecordingProducer producer = new RecordingProducer();
        producer.failAt = 3;
        EventBatch events = RandomEvents.of(5, 20_000, G, 0, 20);
        ReplayException e = assertThrows(ReplayException.class, () -> Replayer.replay(
                List.of(new ReplaySource("cam-9", new BatchReader(events, G, 1000))),
                ReplayOptions.realTime("events").withMaxSpeed(), producer, null));
        assertTrue(e.getMessage().startsWith("packet 3 of sensor 'cam-9' was not delivered to topic events"), e.getMessage());
        assertTrue(e.getMessage().contains("TimeoutException"), e.getMessage());
        assertTrue(producer.packets.size() < 10, "stopped soon after the failure, sent " + producer.packets.size());
    }

    @Test
    void aSendThatIsRefusedOutrightFailsTheReplay() {
        RecordingProducer producer = new RecordingProducer();
        producer.sendException = new TimeoutException("Topic events not present in metadata after 2000 ms.");
        EventBatch events = RandomEvents.of(6, 100, G);
        ReplayException e = assertThrows(ReplayException.class, () -> Replayer.replay(events(events), ReplayOptions.realTime("events").withMaxSpeed(), producer, null));
        assertTrue(e.getMessage().contains("packet 0 of sensor 'cam' could not be sent to topic events: Topic events not present"), e.getMessage());
    }

    @Test
    void optionsRejectImpossibleValues() {
        assertThrows(IllegalArgumentException.class, () -> ReplayOptions.realTime("t").withSpeed(0));
        assertThrows(IllegalArgumentException.class, () -> ReplayOptions.realTime("t").withSpeed(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> ReplayOptions.realTime("t").withPacketUs(0));
        assertThrows(IllegalArgumentException.class, () -> ReplayOptions.realTime(" "));
        assertThrows(IllegalArgumentException.class, () -> Replayer.replay(
                List.of(new ReplaySource("x", new BatchReader(new EventBatch(), G, 1)), new ReplaySource("x", new BatchReader(new EventBatch(), G, 1))),
                ReplayOptions.realTime("t"), new RecordingProducer(), null));
    }

    private static List<ReplaySource> events(EventBatch b) {
        return List.of(new ReplaySource("cam", new BatchReader(b, G, 1000)));
    }
}
