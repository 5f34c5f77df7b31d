package io.spikestream.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads an unbounded job's collected output with a bound: {@code hasNext()} of Flink's collect
 * iterator blocks until a result arrives, so a job that emits too little would hang the build.
 */
final class Collect {
    private Collect() {
    }

    /**
     * Every committed record of {@code topic}, read after the job has finished: from the beginning up
     * to the end offsets, without a consumer group (so no wait for a group to form), within 60 s.
     */
    static <V> List<ConsumerRecord<String, V>> topic(String bootstrap, String topic, Deserializer<V> values) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", "read_committed");
        List<ConsumerRecord<String, V>> out = new ArrayList<>();
        try (KafkaConsumer<String, V> c = new KafkaConsumer<>(p, new StringDeserializer(), values)) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                assertTrue(System.nanoTime() < deadline, "reading " + topic + " up to its end offsets " + end
                        + " took more than 60 s; read " + out.size() + " records");
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** The first {@code n} elements, or fewer when {@code timeoutMs} passes first. */
    static <T> List<T> upTo(CloseableIterator<T> it, int n, long timeoutMs) throws InterruptedException {
        LinkedBlockingQueue<T> queue = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try {
                while (it.hasNext()) {
                    queue.add(it.next());
                }
            } catch (RuntimeException e) {
                // the job was cancelled: the caller has what it needs or fails on the count
            }
        }, "collect-reader");
        reader.setDaemon(true);
        reader.start();
        List<T> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (out.size() < n) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            T t = queue.poll(left, TimeUnit.MILLISECONDS);
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }
}
