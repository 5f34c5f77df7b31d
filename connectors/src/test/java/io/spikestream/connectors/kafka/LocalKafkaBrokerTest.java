package io.spikestream.connectors.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.schemas.DeadLetter;
import io.spikestream.schemas.EventPacket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordDeserializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LocalKafkaBrokerTest {
    private static LocalKafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = LocalKafkaBroker.shared();
    }

    @Test
    void carriesEventPacketsKeyedBySensorThroughAMultiPartitionTopic() throws Exception {
        broker.createTopic("packets", 3);
        SensorGeometry g = new SensorGeometry(128, 128);
        EventBatch events = EventPacketCodecTest.randomEvents(21, 500, g);
        List<EventPacket> sent = new ArrayList<>();
        try (KafkaProducer<String, EventPacket> producer = new KafkaProducer<>(producerProps(), new StringSerializer(), new EventPacketSerializer())) {
            for (int i = 0; i < 10; i++) {
                EventPacket p = EventPacketCodec.encode("cam-" + (i % 2), g, i / 2, events, i * 50, i * 50 + 50);
                sent.add(p);
                producer.send(new ProducerRecord<>("packets", p.getSensorId(), p)).get();
            }
        }
        List<ConsumerRecord<String, EventPacket>> got = new ArrayList<>();
        try (KafkaConsumer<String, EventPacket> consumer = new KafkaConsumer<>(consumerProps("g1"), new StringDeserializer(), new EventPacketDeserializer())) {
            consumer.subscribe(List.of("packets"));
            long deadline = System.currentTimeMillis() + 30_000;
            while (got.size() < sent.size() && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(got::add);
            }
        }
        assertEquals(sent.size(), got.size());
        for (String sensor : List.of("cam-0", "cam-1")) {
            List<EventPacket> expected = sent.stream().filter(p -> p.getSensorId().equals(sensor)).toList();
            List<EventPacket> actual = got.stream().filter(r -> r.key().equals(sensor)).map(ConsumerRecord::value).toList();
            assertEquals(expected, actual, "packets of " + sensor + " in order");
            assertEquals(1, got.stream().filter(r -> r.key().equals(sensor)).map(ConsumerRecord::partition).distinct().count());
        }
    }

    @Test
    void aConsumerLoopTurnsAGarbageRecordIntoADeadLetterAndCarriesOn() throws Exception {
        broker.createTopic("mixed", 1);
        SensorGeometry g = new SensorGeometry(64, 64);
        EventPacketSerializer ser = new EventPacketSerializer();
        byte[] good1 = ser.serialize("mixed", EventPacketCodec.encode("s", g, 0, EventPacketCodecTest.randomEvents(1, 20, g), 0, 20));
        byte[] garbage = {0x7f, 0x01, 0x02};
        byte[] good2 = ser.serialize("mixed", EventPacketCodec.encode("s", g, 1, EventPacketCodecTest.randomEvents(2, 20, g), 0, 20));
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps(), new StringSerializer(), new ByteArraySerializer())) {
            for (byte[] v : List.of(good1, garbage, good2)) {
                producer.send(new ProducerRecord<>("mixed", "s", v)).get();
            }
        }

        List<Long> sequences = new ArrayList<>();
        List<DeadLetter> deadLetters = new ArrayList<>();
        try (KafkaConsumer<String, EventPacket> consumer = new KafkaConsumer<>(consumerProps("g2"), new StringDeserializer(), new EventPacketDeserializer())) {
            consumer.assign(List.of(new TopicPartition("mixed", 0)));
            consumer.seekToBeginning(Set.of(new TopicPartition("mixed", 0)));
            long deadline = System.currentTimeMillis() + 30_000;
            while (sequences.size() + deadLetters.size() < 3 && System.currentTimeMillis() < deadline) {
                try {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> sequences.add(r.value().getSequence()));
                } catch (RecordDeserializationException e) {
                    deadLetters.add(DeadLetters.of(e));
                    consumer.seek(e.topicPartition(), e.offset() + 1);
                }
            }
        }
        assertEquals(List.of(0L, 1L), sequences);
        assertEquals(1, deadLetters.size());
        DeadLetter d = deadLetters.get(0);
        assertEquals("mixed", d.getSource());
        assertEquals(0, d.getPartition());
        assertEquals(1, d.getOffset());
        assertTrue(d.getReason().contains("not a valid EventPacket (3 bytes)"), d.getReason());
        assertEquals(java.nio.ByteBuffer.wrap(garbage), d.getPayload());
    }

    @Test
    void closingDeletesTheTemporaryLogDirectory() throws Exception {
        LocalKafkaBroker second = LocalKafkaBroker.start();
        Path dir = second.logDir();
        assertTrue(Files.isDirectory(dir));
        assertFalse(second.bootstrapServers().equals(broker.bootstrapServers()));
        second.close();
        assertFalse(Files.exists(dir), dir + " still exists");
    }

    @Test
    void theSharedBrokerIsOnePerJvmAndOutlivesClose() throws Exception {
        LocalKafkaBroker one = LocalKafkaBroker.shared();
        one.close();
        assertSame(one, LocalKafkaBroker.shared());
        one.createTopic("still-there", 1);
        assertTrue(one.admin().listTopics().names().get().contains("still-there"));
    }

    static Properties producerProps() {
        Properties p = new Properties();
        p.putAll(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"));
        return p;
    }

    static Properties consumerProps(String group) {
        Properties p = new Properties();
        p.putAll(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        return p;
    }
}
