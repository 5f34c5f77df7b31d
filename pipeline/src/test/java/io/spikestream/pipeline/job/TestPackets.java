package io.spikestream.pipeline.job;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.EventPacketCodec;
import io.spikestream.connectors.kafka.EventPacketSerializer;
import io.spikestream.schemas.EventPacket;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Synthetic sensor streams and a producer that publishes them as EventPackets keyed by sensor. */
final class TestPackets {
    private TestPackets() {
    }

    /** Time-ordered events at roughly {@code 2 / meanGapUs} per µs, all inside {@code g}. */
    static EventBatch events(long seed, SensorGeometry g, int n, int meanGapUs, long startUs) {
        Random rnd = new Random(seed);
        EventBatch b = new EventBatch(n);
        long t = startUs;
        for (int i = 0; i < n; i++) {
            t += rnd.nextInt(meanGapUs);
            b.add(t, rnd.nextInt(g.width()), rnd.nextInt(g.height()), rnd.nextInt(2));
        }
        return b;
    }

    /**
     * Creates a topic, retrying while the fresh broker's metadata has not caught up (describing a
     * just-created topic can answer "does not host this topic-partition" for a moment).
     */
    static void createTopic(io.spikestream.connectors.kafka.LocalKafkaBroker kafka, String name, int partitions)
            throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                kafka.createTopic(name, partitions);
                return;
            } catch (IllegalStateException e) {
                if (attempt >= 20 || !String.valueOf(e.getMessage()).contains("does not host")) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    static KafkaProducer<String, EventPacket> producer(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        p.put("linger.ms", "5");
        return new KafkaProducer<>(p, new StringSerializer(), new EventPacketSerializer());
    }

    static KafkaProducer<String, byte[]> rawProducer(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    /** Publishes {@code events} as packets of {@code packetSize}; returns the next sequence number. */
    static long publish(KafkaProducer<String, EventPacket> producer, String topic, String sensor, SensorGeometry g,
                        EventBatch events, int packetSize, long firstSequence) {
        long seq = firstSequence;
        for (int i = 0; i < events.size(); i += packetSize) {
            int to = Math.min(events.size(), i + packetSize);
            producer.send(new ProducerRecord<>(topic, sensor, EventPacketCodec.encode(sensor, g, seq++, events, i, to)));
        }
        return seq;
    }
}
