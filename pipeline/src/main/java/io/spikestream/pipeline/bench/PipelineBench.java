package io.spikestream.pipeline.bench;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.EventPacketWire;
import io.spikestream.connectors.kafka.KafkaClientSettings;
import io.spikestream.pipeline.job.ClassificationResult;
import io.spikestream.pipeline.job.FramedWindow;
import io.spikestream.pipeline.job.JobConfig;
import io.spikestream.pipeline.job.MsResNetWindowModel;
import io.spikestream.pipeline.job.SpikestreamJob;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.time.Duration;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.job.PacketDeserializer;
import io.spikestream.pipeline.job.SensorEvents;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * End-to-end measurements of the job (Kafka → framing → sink, with and without the model), used
 * by {@code spikestream bench pipeline}. Throughput runs read a topic filled beforehand, so they
 * measure how fast the job drains a backlog; the latency run publishes at real-time pace.
 */
public final class PipelineBench {
    private PipelineBench() {
    }

    /**
     * What one drained run measured.
     *
     * @param cpuSeconds CPU time of this whole JVM (job, embedded broker) from submission to the
     *     last output: on a shared machine, events per CPU second say more than events per second
     */
    public record Drain(long events, long windows, double seconds, double eventsPerSecond, double windowsPerSecond,
                        double cpuSeconds) {
        public double eventsPerCpuSecond() {
            return events / cpuSeconds;
        }
    }

    /** What the paced run measured. */
    public record Paced(int sensors, long windowsExpected, long windowsReceived, double p50Ms, double p99Ms, double maxMs) {}

    /**
     * Publishes {@code seconds} of events of {@code sensors} sensors at {@code rate} events/s each,
     * in packets of {@code packetUs}, as fast as Kafka takes them.
     *
     * @return the number of events published
     */
    public static long fill(String bootstrap, KafkaClientSettings kafka, String topic, SensorGeometry g, int sensors, double rate, double seconds,
                            long packetUs) {
        long perSensor = (long) (rate * seconds);
        int packet = (int) Math.max(1, Math.round(rate * packetUs / 1e6));
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap, kafka)) {
            List<SyntheticEvents> gens = new ArrayList<>();
            for (int s = 0; s < sensors; s++) {
                gens.add(new SyntheticEvents(g, rate, 1000 + s, 1_000_000));
            }
            EventBatch batch = new EventBatch(packet);
            long[] seq = new long[sensors];
            for (long done = 0; done < perSensor; done += packet) {
                int n = (int) Math.min(packet, perSensor - done);
                for (int s = 0; s < sensors; s++) {
                    gens.get(s).next(batch, n);
                    String id = "sensor-" + s;
                    producer.send(new ProducerRecord<>(topic, id, EventPacketWire.encode(id, g, seq[s]++, batch, 0, n)));
                }
            }
            producer.flush();
        }
        return perSensor * sensors;
    }

    /** Reads the whole topic with the job and measures from the first to the last output. */
    public static Drain drain(String bootstrap, KafkaClientSettings kafka, String topic, JobConfig config, int parallelism,
                              long events) throws Exception {
        return drain(bootstrap, kafka, topic, config, parallelism, events, "hashmap", 0);
    }

    /**
     * As above on {@code stateBackend} ("hashmap" or "rocksdb"), with checkpoints every
     * {@code checkpointMs} (0: none).
     */
    public static Drain drain(String bootstrap, KafkaClientSettings kafka, String topic, JobConfig config, int parallelism,
                              long events, String stateBackend, long checkpointMs) throws Exception {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        if (checkpointMs > 0) {
            env.enableCheckpointing(checkpointMs);
        }
        var input = SpikestreamJob.kafkaInput(env, bootstrap, topic, "bench-" + System.nanoTime(),
                OffsetsInitializer.earliest(), OffsetsInitializer.latest(), config, kafka);
        SpikestreamJob.Streams job = SpikestreamJob.build(input, config, MsResNetWindowModel::load);
        DataStream<long[]> ticksStream = config.modelPath() == null
                ? job.windows().map(PipelineBench::tick).returns(PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO)
                : job.classifications().map(PipelineBench::tick).returns(PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO);
        List<long[]> ticks = new ArrayList<>();
        long start = System.currentTimeMillis();
        long cpu0 = processCpuNanos();
        try (CloseableIterator<long[]> it = ticksStream.executeAndCollect("bench pipeline")) {
            while (it.hasNext()) {
                ticks.add(it.next());
            }
        }
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        long first = ticks.stream().mapToLong(t -> t[0]).min().orElse(start);
        long last = ticks.stream().mapToLong(t -> t[0]).max().orElse(start);
        // the first window appears one window length after its first events were read: count from the job's start
        // if that is earlier than the first output minus one second
        double seconds = Math.max(1e-3, (last - Math.min(first, Math.max(start, first - 1000))) / 1000.0);
        return new Drain(events, ticks.size(), seconds, events / seconds, ticks.size() / seconds, cpu);
    }

    /** What a run outside Flink measured. */
    public record Plain(long events, double seconds, double cpuSeconds) {
        public double eventsPerSecond() {
            return events / seconds;
        }

        public double eventsPerCpuSecond() {
            return events / cpuSeconds;
        }
    }

    /**
     * The ceiling of the job: {@code consumers} plain Kafka consumers (one thread each, the
     * partitions shared out as the Flink source would) reading the whole topic through the job's
     * {@link PacketDeserializer}, and nothing else.
     */
    public static Plain kafkaDrain(String bootstrap, KafkaClientSettings kafka, String topic, int consumers, long events)
            throws Exception {
        Map<String, String> extra = SpikestreamJob.SOURCE_TUNING;
        int partitions;
        try (KafkaConsumer<byte[], byte[]> probe = consumer(bootstrap, kafka, extra)) {
            partitions = probe.partitionsFor(topic).size();
        }
        AtomicLong seen = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        for (int c = 0; c < consumers; c++) {
            List<TopicPartition> mine = new ArrayList<>();
            for (int p = c; p < partitions; p += consumers) {
                mine.add(new TopicPartition(topic, p));
            }
            Thread t = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> kc = consumer(bootstrap, kafka, extra)) {
                    kc.assign(mine);
                    kc.seekToBeginning(mine);
                    Map<TopicPartition, Long> end = kc.endOffsets(mine);
                    PacketDeserializer d = new PacketDeserializer();
                    long deadline = System.currentTimeMillis() + 300_000;
                    while (System.currentTimeMillis() < deadline) {
                        boolean done = true;
                        for (TopicPartition tp : mine) {
                            done &= kc.position(tp) >= end.get(tp);
                        }
                        if (done) {
                            return;
                        }
                        for (ConsumerRecord<byte[], byte[]> r : kc.poll(Duration.ofMillis(100))) {
                            seen.addAndGet(d.decode(r.topic(), r.partition(), r.offset(), r.value()).size());
                        }
                    }
                    throw new IllegalStateException("kafka drain: not at the end of " + mine + " after 300 s");
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "kafka-drain-" + c);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("kafka drain failed: " + failure.get(), failure.get());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (seen.get() != events) {
            throw new IllegalStateException("kafka drain: read " + seen.get() + " events, the topic holds " + events);
        }
        return new Plain(events, seconds, (processCpuNanos() - cpu0) / 1e9);
    }

    /**
     * The Framer alone, one thread, over the packets the topic was filled with (regenerated the
     * same way, held in memory first): each packet binned, then the sensor's watermark advanced,
     * as the framing operator does.
     */
    public static Plain framerOnly(FramingSpec spec, SensorGeometry g, int sensors, double rate, double seconds, long packetUs,
                                   long outOfOrdernessUs) {
        long perSensor = (long) (rate * seconds);
        int packet = (int) Math.max(1, Math.round(rate * packetUs / 1e6));
        List<SyntheticEvents> gens = new ArrayList<>();
        List<Framer> framers = new ArrayList<>();
        for (int s = 0; s < sensors; s++) {
            gens.add(new SyntheticEvents(g, rate, 1000 + s, 1_000_000));
            framers.add(new Framer(spec, "sensor-" + s, g));
        }
        List<SensorEvents> packets = new ArrayList<>();
        EventBatch batch = new EventBatch(packet);
        for (long done = 0; done < perSensor; done += packet) {
            int n = (int) Math.min(packet, perSensor - done);
            for (int s = 0; s < sensors; s++) {
                gens.get(s).next(batch, n);
                SensorEvents e = SensorEvents.of("sensor-" + s, g.width(), g.height(), done, batch, 0, n);
                packets.add(e);
            }
        }
        long[] sink = new long[1];
        long cpu0 = threadCpuNanos();
        long t0 = System.nanoTime();
        int s = 0;
        for (SensorEvents e : packets) {
            Framer f = framers.get(s);
            f.accept(e.t, e.x, e.y, e.p, 0, e.size());
            f.advanceTo(e.maxTimestamp() - outOfOrdernessUs, w -> sink[0] += w.binEvents().length);
            s = (s + 1) % sensors;
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        return new Plain(perSensor * sensors, secs, (threadCpuNanos() - cpu0) / 1e9);
    }

    private static long threadCpuNanos() {
        return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap, KafkaClientSettings kafka, Map<String, String> extra) {
        // as the job's source: its tuning, then the user's settings, then what the drain relies on
        Properties p = new Properties();
        p.putAll(extra);
        kafka.applyTo(p);
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", "read_committed");
        p.put("enable.auto.commit", "false");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static long[] tick(FramedWindow w) {
        return new long[] {System.currentTimeMillis(), w.events()};
    }

    private static long[] tick(ClassificationResult c) {
        return new long[] {System.currentTimeMillis(), c.events, Double.doubleToLongBits(c.latencyMs)};
    }

    /**
     * Runs the job on an unbounded topic while {@code sensors} sensors publish at real-time pace
     * for {@code seconds}, and reports window-close-to-classification latency. The events are
     * generated before the job starts, so that the load generator does not take the job's CPU (it
     * took most of it when it ran during the measurement): in the field the cameras' producers run
     * elsewhere. Kafka's own producer work, batching and compression, still runs here, as does the
     * broker, and so does encoding each packet as it is sent (a few ns per event). See
     * {@link PacedPackets} for why one second of events is generated, not the whole run.
     */
    public static Paced paced(String bootstrap, KafkaClientSettings kafka, String topic, JobConfig config, int parallelism, SensorGeometry g,
                              int sensors, double rate, double seconds, long packetUs) throws Exception {
        PacedPackets packets = new PacedPackets(g, sensors, rate, seconds, packetUs);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        var input = SpikestreamJob.kafkaInput(env, bootstrap, topic, "bench-paced-" + System.nanoTime(),
                OffsetsInitializer.latest(), null, config, kafka);
        SpikestreamJob.Streams job = SpikestreamJob.build(input, config, MsResNetWindowModel::load);
        List<Double> latencies = new ArrayList<>();
        long expected = (long) Math.floor(seconds * 1e6 / config.framing().hopUs()) * sensors;
        try (CloseableIterator<ClassificationResult> it = job.classifications().collectAsync()) {
            var client = env.executeAsync("bench pipeline paced");
            Thread.sleep(8_000); // let the job start and the source reach the end of the topic
            Thread publisher = new Thread(() -> publishPaced(bootstrap, kafka, topic, packets), "paced-publisher");
            publisher.setDaemon(true);
            publisher.start();
            long deadline = System.currentTimeMillis() + (long) (seconds * 1000) + 30_000;
            while (latencies.size() < expected && System.currentTimeMillis() < deadline) {
                if (it.hasNext()) {
                    latencies.add(it.next().latencyMs);
                }
            }
            client.cancel();
        }
        double[] l = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Paced(sensors, expected, l.length, percentile(l, 0.5), percentile(l, 0.99), l.length == 0 ? Double.NaN : l[l.length - 1]);
    }

    /**
     * The paced run's packets, {@code packetUs} of events per sensor each. One second of each sensor's
     * events is generated up front and sent round and round, its timestamps moved on by the cycle's
     * span each time, so the run's packets cost memory for one second, not for the whole run: held
     * for a 20 s run of 8 sensors they were 1.3 GB of the job's heap, enough to keep G1's concurrent
     * marking running, whose remark pauses (40-50 ms) showed up as the latency's tail.
     */
    static final class PacedPackets {
        private final SensorGeometry geometry;
        private final EventBatch[][] cycle; // [packet in cycle][sensor]
        private final long[] spanUs;
        private final String[] ids;
        final long packetUs;
        final int packets;

        PacedPackets(SensorGeometry g, int sensors, double rate, double seconds, long packetUs) {
            this.geometry = g;
            this.packetUs = packetUs;
            int packet = (int) Math.max(1, Math.round(rate * packetUs / 1e6));
            this.packets = (int) (seconds * 1e6 / packetUs);
            int length = (int) Math.max(1, Math.min(packets, 1_000_000 / packetUs));
            cycle = new EventBatch[length][sensors];
            spanUs = new long[sensors];
            ids = new String[sensors];
            for (int s = 0; s < sensors; s++) {
                ids[s] = "sensor-" + s;
                SyntheticEvents gen = new SyntheticEvents(g, rate, 2000 + s, 1_000_000);
                for (int k = 0; k < length; k++) {
                    cycle[k][s] = new EventBatch(packet);
                    gen.next(cycle[k][s], packet);
                }
                // the next time round starts just after this cycle's last event
                spanUs[s] = gen.nowUs() - cycle[0][s].t(0) + 1;
            }
        }

        int sensors() {
            return ids.length;
        }

        /** Sensor {@code s}'s id: the packets' sensor id and their Kafka key. */
        String id(int s) {
            return ids[s];
        }

        /**
         * Packet {@code k} of sensor {@code s} in wire form. Packets must be asked for in order of
         * {@code k} (each sensor's): a cycle's batches are moved on in place when they come round again.
         */
        byte[] packet(int k, int s) {
            EventBatch b = cycle[k % cycle.length][s];
            if (k >= cycle.length) {
                long[] ts = b.ts();
                long d = spanUs[s];
                for (int i = 0; i < b.size(); i++) {
                    ts[i] += d;
                }
            }
            return EventPacketWire.encode(ids[s], geometry, k, b, 0, b.size());
        }
    }

    private static void publishPaced(String bootstrap, KafkaClientSettings kafka, String topic, PacedPackets packets) {
        long packetUs = packets.packetUs;
        try (KafkaProducer<String, byte[]> producer = producer(bootstrap, kafka)) {
            long start = System.nanoTime();
            for (int k = 0; k < packets.packets; k++) {
                long due = start + k * packetUs * 1000;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                for (int s = 0; s < packets.sensors(); s++) {
                    producer.send(new ProducerRecord<>(topic, packets.id(s), packets.packet(k, s)));
                }
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static long processCpuNanos() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : -1;
    }

    static double percentile(double[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private static KafkaProducer<String, byte[]> producer(String bootstrap, KafkaClientSettings kafka) {
        Properties p = new Properties();
        p.put("acks", "1");
        p.put("linger.ms", "2");
        p.put("batch.size", String.valueOf(1 << 20));
        p.put("max.request.size", String.valueOf(16 << 20));
        p.put("compression.type", "lz4");
        kafka.applyTo(p);
        p.put("bootstrap.servers", bootstrap);
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    static String describe(long[] a) {
        return Arrays.toString(a);
    }
}
