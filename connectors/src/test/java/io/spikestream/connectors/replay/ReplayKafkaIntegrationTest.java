package io.spikestream.connectors.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.EventPacketCodec;
import io.spikestream.connectors.kafka.EventPacketDeserializer;
import io.spikestream.connectors.kafka.LocalKafkaBroker;
import io.spikestream.connectors.kafka.RandomEvents;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.schemas.EventPacket;
import io.spikestream.testkit.SharedData;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/** Replays through a real Kafka broker started by the test and reads the topic back. */
class ReplayKafkaIntegrationTest {

    static EventBatch readAll(Path file) throws IOException {
        EventBatch all = new EventBatch();
        EventBatch chunk = new EventBatch();
        try (EventReader r = Recordings.open(file)) {
            while (r.read(chunk, 1 << 16)) {
                all.addAll(chunk, 0, chunk.size());
            }
        }
        return all;
    }

    @Test
    void realRecordingsReplayedAsSensorsComeBackIdenticalAndInOrderPerSensor() throws Exception {
        Path evt2 = SharedData.real("prophesee_gen3_evt2_sample.raw");
        Path evt3 = SharedData.real("prophesee_gen41_evt3_sample.raw");
        SensorGeometry g = new SensorGeometry(128, 128);
        Map<String, EventBatch> expected = new LinkedHashMap<>();
        expected.put("gen3", readAll(evt2));
        expected.put("gen41", readAll(evt3));
        expected.put("synthetic", RandomEvents.of(8, 50_000, g, 0, 2));

        LocalKafkaBroker broker = LocalKafkaBroker.shared();
        try (EventReader r2 = Recordings.open(evt2);
             EventReader r3 = Recordings.open(evt3)) {
            broker.createTopic("events", 4);
            List<ReplayProgress> progress = new ArrayList<>();
            ReplaySummary summary = Replayer.replay(List.of(new ReplaySource("gen3", r2), new ReplaySource("gen41", r3),
                            new ReplaySource("synthetic", new BatchReader(expected.get("synthetic"), g, 4096))),
                    ReplayOptions.realTime("events"), broker.bootstrapServers(), progress::add);

            long total = expected.values().stream().mapToLong(EventBatch::size).sum();
            assertEquals(total, summary.events());
            assertEquals(3, summary.sensors());
            assertTrue(summary.bytes() > 8 * total, "acknowledged bytes " + summary.bytes());
            assertEquals(total, progress.get(progress.size() - 1).events());

            Map<String, List<ConsumerRecord<String, EventPacket>>> bySensor = consumeAll(broker, "events", summary.packets());
            assertEquals(expected.keySet(), bySensor.keySet());
            for (Map.Entry<String, EventBatch> e : expected.entrySet()) {
                EventBatch got = new EventBatch();
                EventBatch one = new EventBatch();
                long sequence = 0;
                for (ConsumerRecord<String, EventPacket> rec : bySensor.get(e.getKey())) {
                    assertEquals(sequence++, rec.value().getSequence(), "packets of " + e.getKey() + " in order, none missing");
                    EventPacketCodec.decode(rec.value(), one);
                    got.addAll(one, 0, one.size());
                }
                assertTrue(e.getValue().sameEvents(got), "events of " + e.getKey() + " differ: sent "
                        + e.getValue() + ", received " + got);
                assertEquals(1, bySensor.get(e.getKey()).stream().map(ConsumerRecord::partition).distinct().count(),
                        "one sensor, one partition");
            }
        }
    }

    @Test
    void compressedTopicsCarryTheSameEvents() throws Exception {
        SensorGeometry g = new SensorGeometry(346, 260);
        EventBatch events = RandomEvents.of(9, 40_000, g, 0, 3);
        LocalKafkaBroker broker = LocalKafkaBroker.shared();
        for (String type : List.of("lz4", "zstd", "gzip", "snappy")) {
            String topic = "compressed-" + type;
            broker.createTopic(topic, 1);
            ReplaySummary s = Replayer.replay(new BatchReader(events, g, 5000), "cam", ReplayOptions.realTime(topic)
                    .withMaxSpeed().withCompression(type), broker.bootstrapServers(), null);
            EventBatch got = new EventBatch();
            EventBatch one = new EventBatch();
            for (ConsumerRecord<String, EventPacket> r : consumeAll(broker, topic, s.packets()).get("cam")) {
                EventPacketCodec.decode(r.value(), one);
                got.addAll(one, 0, one.size());
            }
            assertTrue(events.sameEvents(got), type);
        }
    }

    @Test
    void aBrokerThatGoesAwayMidReplayEndsInAClearErrorNotSilentSuccess() throws Exception {
        SensorGeometry g = new SensorGeometry(64, 64);
        // 20 s of events at speed 2: the replay would need 10 s, far longer than stopping the broker takes
        EventBatch twentySeconds = new EventBatch();
        for (int i = 0; i < 20_000; i++) {
            twentySeconds.add(i * 1000L, i % 64, (i / 64) % 64, i & 1);
        }
        LocalKafkaBroker broker = LocalKafkaBroker.start();
        try {
            broker.createTopic("events", 1);
            AtomicBoolean stopped = new AtomicBoolean();
            CompletableFuture<Void> stopper = new CompletableFuture<>();
            ProgressListener stopAfterAFewPackets = p -> {
                if (p.packets() >= 50 && stopped.compareAndSet(false, true)) {
                    CompletableFuture.runAsync(() -> {
                        broker.close();
                        stopper.complete(null);
                    });
                }
            };
            ReplayOptions options = ReplayOptions.realTime("events").withSpeed(2.0).withDeliveryTimeout(Duration.ofSeconds(3));
            ReplayException e = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(ReplayException.class,
                    () -> Replayer.replay(new BatchReader(twentySeconds, g, 1000), "cam", options, broker.bootstrapServers(), stopAfterAFewPackets)));
            assertTrue(stopped.get(), "the broker was stopped during the replay");
            String m = e.getMessage();
            // the producer keeps accepting packets (the topic's metadata is cached) and they expire
            // unacknowledged after the delivery timeout: the message says which, where and how many
            assertTrue(m.contains("of sensor 'cam' was not delivered to topic events within the delivery timeout of 3000 ms"), m);
            assertTrue(m.endsWith("[bootstrap servers " + broker.bootstrapServers() + "]"), m);
            Matcher counts = Pattern.compile("; (\\d+) of (\\d+) packets sent were acknowledged").matcher(m);
            assertTrue(counts.find(), m);
            long acked = Long.parseLong(counts.group(1));
            long sent = Long.parseLong(counts.group(2));
            assertTrue(sent >= 50 && acked < sent, m);
            assertInstanceOf(org.apache.kafka.common.errors.TimeoutException.class, e.getCause(), m);
            stopper.get();
        } finally {
            broker.close();
        }
    }

    private static Map<String, List<ConsumerRecord<String, EventPacket>>> consumeAll(LocalKafkaBroker broker, String topic, long packets) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "replay-check");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(4 << 20));
        Map<String, List<ConsumerRecord<String, EventPacket>>> bySensor = new HashMap<>();
        long got = 0;
        try (KafkaConsumer<String, EventPacket> c = new KafkaConsumer<>(p, new StringDeserializer(), new EventPacketDeserializer())) {
            c.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 60_000;
            while (got < packets && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, EventPacket> r : c.poll(Duration.ofMillis(200))) {
                    assertEquals(r.key(), r.value().getSensorId());
                    bySensor.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r);
                    got++;
                }
            }
        }
        assertEquals(packets, got, "packets read back");
        return bySensor;
    }
}
