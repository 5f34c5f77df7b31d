package io.spikestream.connectors.replay;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.EventPacketWire;
import io.spikestream.connectors.kafka.KafkaClientSettings;
import io.spikestream.connectors.recording.EventReader;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes recordings to Kafka as a camera would: {@code EventPacket}s keyed by sensor id, each
 * sent when its last event is due at {@code speed} × event time (or at once at max speed). Packets
 * are written with {@link EventPacketWire} (the same bytes as {@code EventPacketSerializer}).
 *
 * <p>Several recordings replay together as several sensors, interleaved by their own event time
 * (each measured from its first event). Nothing is lost silently: the producer is idempotent with
 * {@code acks=all}, every send's callback is checked, and a broker that goes away makes the producer
 * retry until the delivery timeout, after which the replay stops with a {@link ReplayException}
 * naming the packet. Readers are not closed; their owner closes them.
 */
public final class Replayer {
    private static final long PROGRESS_EVERY_NANOS = 100_000_000L;

    private Replayer() {}

    /** Replays one recording as one sensor through a producer of its own. */
    public static ReplaySummary replay(EventReader reader, String sensorId,
                                       ReplayOptions options, String bootstrapServers, ProgressListener listener) throws IOException {
        return replay(List.of(new ReplaySource(sensorId, reader)), options, bootstrapServers, listener);
    }

    /** Replays recordings as sensors through a producer of its own (created and closed here). */
    public static ReplaySummary replay(List<ReplaySource> sources, ReplayOptions options, String bootstrapServers,
                                       ProgressListener listener) throws IOException {
        return replay(sources, options, bootstrapServers, KafkaClientSettings.NONE, listener);
    }

    /**
     * As above with the user's Kafka client settings (security, tuning) applied over the replay's
     * own producer settings; {@code bootstrapServers} wins over a {@code bootstrap.servers} among them.
     * A refused login or a denied write fails with one line naming the broker and the mechanism.
     */
    public static ReplaySummary replay(List<ReplaySource> sources, ReplayOptions options, String bootstrapServers,
                                       KafkaClientSettings settings, ProgressListener listener) throws IOException {
        Producer<String, byte[]> producer;
        try {
            Properties props = producerProperties(bootstrapServers, options.deliveryTimeout());
            props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, options.compression());
            settings.applyTo(props);
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            String auth = settings.describeFailure(e, bootstrapServers);
            throw new ReplayException(auth != null ? auth : "cannot create a Kafka producer for " + bootstrapServers
                    + " (" + settings.describeSecurity() + "): " + e.getMessage(), e);
        }
        boolean ok = false;
        try {
            ReplaySummary s = replay(sources, options, producer, listener);
            ok = true;
            return s;
        } catch (ReplayException e) {
            String auth = e.getCause() == null ? null : settings.describeFailure(e.getCause(), bootstrapServers);
            throw new ReplayException(auth != null ? auth : e.getMessage() + " [bootstrap servers " + bootstrapServers + "]", e.getCause());
        } finally {
            // after a failure nothing pending can be trusted to arrive; do not wait for it again
            producer.close(ok ? options.deliveryTimeout() : Duration.ZERO);
        }
    }

    /**
     * Replays recordings as sensors through the caller's producer (flushed, not closed), whose values
     * are the EventPacket bytes. The producer should be idempotent with {@code acks=all}, as
     * {@link #producerProperties} configures.
     */
    public static ReplaySummary replay(List<ReplaySource> sources, ReplayOptions options,
                                       Producer<String, byte[]> producer, ProgressListener listener) throws IOException {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("nothing to replay: no sources");
        }
        List<Sensor> sensors = new ArrayList<>();
        HashSet<String> ids = new HashSet<>();
        for (ReplaySource s : sources) {
            if (!ids.add(s.sensorId())) {
                throw new IllegalArgumentException("sensor id " + s.sensorId() + " given to two recordings");
            }
            sensors.add(new Sensor(s, options));
        }
        return new Run(sensors, options, producer, listener == null ? ProgressListener.NONE : listener).execute();
    }

    /** Producer settings for loss-free replay: idempotent, acks=all, bounded retry time, batches of up to 512 KB. */
    public static Properties producerProperties(String bootstrapServers, Duration deliveryTimeout) {
        long delivery = deliveryTimeout.toMillis();
        long linger = Math.min(5, delivery / 2);
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "spikestream-replay");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.RETRIES_CONFIG, String.valueOf(Integer.MAX_VALUE));
        p.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(linger));
        // Kafka requires delivery.timeout.ms >= linger.ms + request.timeout.ms
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(Math.max(1, Math.min(30_000, delivery - linger))));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(delivery));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(delivery));
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(512 * 1024));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L * 1024 * 1024));
        return p;
    }

    /** Per-sensor state: its cutter and the packet ready to go. */
    private static final class Sensor {
        final String id;
        final SensorGeometry geometry;
        final PacketCutter cutter;
        final EventBatch packet = new EventBatch(1024);
        long sequence;
        boolean ready;

        Sensor(ReplaySource s, ReplayOptions o) {
            id = s.sensorId();
            geometry = s.reader().geometry();
            cutter = new PacketCutter(s.reader(), o.packetUs(), o.maxPacketEvents());
        }

        void advance() throws IOException {
            ready = cutter.next(packet);
        }

        /** When the packet is complete: its last event, in µs since this recording's first event. */
        long dueUs() {
            return packet.t(packet.size() - 1) - cutter.firstUs();
        }
    }

    /** The first delivery failure, with the packet it concerns. */
    private record Failure(String sensor, long sequence, Exception error) {}

    private static final class Run {
        final List<Sensor> sensors;
        final ReplayOptions options;
        final Producer<String, byte[]> producer;
        final ProgressListener listener;
        final AtomicReference<Failure> failure = new AtomicReference<>();
        final LongAdder acked = new LongAdder();
        final LongAdder ackedBytes = new LongAdder();
        long events;
        long packets;
        double maxLagMs;
        double lastLagMs;
        long eventTimeUs;
        long start;

        Run(List<Sensor> sensors, ReplayOptions options, Producer<String, byte[]> producer, ProgressListener listener) {
            this.sensors = sensors;
            this.options = options;
            this.producer = producer;
            this.listener = listener;
        }

        ReplaySummary execute() throws IOException {
            for (Sensor s : sensors) {
                s.advance();
            }
            awaitTopic();
            start = System.nanoTime();
            long lastProgress = start;
            Sensor next;
            while ((next = earliest()) != null) {
                long due = next.dueUs();
                if (!options.maxSpeed()) {
                    long dueNanos = start + (long) (due * 1000.0 / options.speed());
                    waitUntil(dueNanos);
                    lastLagMs = Math.max(0, System.nanoTime() - dueNanos) / 1e6;
                    maxLagMs = Math.max(maxLagMs, lastLagMs);
                }
                checkFailure();
                send(next);
                eventTimeUs = Math.max(eventTimeUs, due);
                next.advance();
                long now = System.nanoTime();
                if (now - lastProgress >= PROGRESS_EVERY_NANOS) {
                    lastProgress = now;
                    listener.onProgress(progress(now));
                }
            }
            try {
                producer.flush();
            } catch (KafkaException e) {
                throw new ReplayException("flushing the last packets to topic " + options.topic() + " failed: " + e.getMessage(), e);
            }
            checkFailure();
            long end = System.nanoTime();
            if (acked.sum() != packets) {
                throw new ReplayException(packets + " packets sent to topic " + options.topic() + " but only " + acked.sum()
                        + " acknowledged", null);
            }
            listener.onProgress(progress(end));
            double seconds = (end - start) / 1e9;
            return new ReplaySummary(options.topic(), sensors.size(), events, packets, ackedBytes.sum(), seconds,
                    seconds > 0 ? events / seconds : 0, maxLagMs, options.speed());
        }

        /**
         * Fetches the topic's metadata before the clock starts, so that connecting (and a broker's
         * auto-creation of the topic) does not count as lag; an unreachable broker fails here after
         * the delivery timeout.
         */
        private void awaitTopic() throws ReplayException {
            try {
                producer.partitionsFor(options.topic());
            } catch (KafkaException e) {
                throw new ReplayException("topic " + options.topic() + " is not available: " + e.getMessage(), e);
            }
        }

        private Sensor earliest() {
            Sensor best = null;
            for (Sensor s : sensors) {
                if (s.ready && (best == null || s.dueUs() < best.dueUs())) {
                    best = s;
                }
            }
            return best;
        }

        private void send(Sensor s) throws ReplayException {
            int n = s.packet.size();
            long sequence = s.sequence++;
            byte[] value = EventPacketWire.encode(s.id, s.geometry, sequence, s.packet, 0, n);
            String sensor = s.id;
            Callback callback = (metadata, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, new Failure(sensor, sequence, error));
                } else {
                    acked.increment();
                    ackedBytes.add(Math.max(0, metadata.serializedKeySize()) + Math.max(0, metadata.serializedValueSize()));
                }
            };
            try {
                producer.send(new ProducerRecord<>(options.topic(), sensor, value), callback);
            } catch (KafkaException e) {
                throw new ReplayException("packet " + sequence + " of sensor '" + sensor + "' could not be sent to topic "
                        + options.topic() + ": " + e.getMessage(), e);
            }
            events += n;
            packets++;
        }

        private void checkFailure() throws ReplayException {
            Failure f = failure.get();
            if (f != null) {
                throw new ReplayException("packet " + f.sequence() + " of sensor '" + f.sensor() + "' was not delivered to topic "
                        + options.topic() + " within the delivery timeout of " + options.deliveryTimeout().toMillis() + " ms ("
                        + f.error().getClass().getSimpleName() + ": " + f.error().getMessage() + "); " + acked.sum() + " of "
                        + packets + " packets sent were acknowledged", f.error());
            }
        }

        private void waitUntil(long dueNanos) throws InterruptedIOException {
            long wait;
            while ((wait = dueNanos - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
                if (Thread.interrupted()) {
                    throw new InterruptedIOException("replay interrupted after " + packets + " packets");
                }
            }
        }

        private ReplayProgress progress(long now) {
            return new ReplayProgress(events, packets, ackedBytes.sum(), eventTimeUs, now - start, lastLagMs);
        }
    }
}
