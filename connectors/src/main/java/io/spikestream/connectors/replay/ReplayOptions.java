package io.spikestream.connectors.replay;

import java.time.Duration;

/**
 * How to replay: the topic, the pace ({@code speed} × event time, or as fast as possible), how the
 * recording is cut into packets and how long a packet may wait for the broker.
 *
 * @param topic Kafka topic the packets go to
 * @param speed event time runs {@code speed} times faster than wall time; {@link #MAX_SPEED} for no pacing
 * @param packetUs each packet covers at most this many µs of event time
 * @param maxPacketEvents a packet holds at most this many events (keeps records below Kafka's size limit)
 * @param deliveryTimeout how long the producer retries a packet before the replay fails
 * @param compression the producer's {@code compression.type}: none, gzip, snappy, lz4 or zstd
 *     (the packed columns are fixed-width, so lz4/zstd trade CPU for fewer bytes on the wire)
 */
public record ReplayOptions(String topic, double speed, long packetUs, int maxPacketEvents, Duration deliveryTimeout,
                            String compression) {
    /** The compression types Kafka producers accept. */
    public static final java.util.List<String> COMPRESSIONS = java.util.List.of("none", "gzip", "snappy", "lz4", "zstd");

    public static final double MAX_SPEED = Double.POSITIVE_INFINITY;
    public static final long DEFAULT_PACKET_US = 1000;
    /** 32768 events are 266 KB of columns, well inside Kafka's default 1 MB record limit. */
    public static final int DEFAULT_MAX_PACKET_EVENTS = 32768;
    public static final Duration DEFAULT_DELIVERY_TIMEOUT = Duration.ofMinutes(2);

    public ReplayOptions {
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException("a topic is required");
        }
        if (!(speed > 0)) {
            throw new IllegalArgumentException("speed must be > 0, got " + speed);
        }
        if (packetUs < 1) {
            throw new IllegalArgumentException("packet span must be >= 1 µs, got " + packetUs);
        }
        if (maxPacketEvents < 1 || maxPacketEvents > io.spikestream.connectors.kafka.EventPacketCodec.MAX_EVENTS) {
            throw new IllegalArgumentException("max events per packet must be in [1, "
                    + io.spikestream.connectors.kafka.EventPacketCodec.MAX_EVENTS + "], got " + maxPacketEvents);
        }
        if (deliveryTimeout == null || deliveryTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("delivery timeout must be positive");
        }
        if (!COMPRESSIONS.contains(compression)) {
            throw new IllegalArgumentException("compression must be one of " + COMPRESSIONS + ", got " + compression);
        }
    }

    /** Real-time pace, 1 ms packets, default limits. */
    public static ReplayOptions realTime(String topic) {
        return new ReplayOptions(topic, 1.0, DEFAULT_PACKET_US, DEFAULT_MAX_PACKET_EVENTS, DEFAULT_DELIVERY_TIMEOUT, "none");
    }

    public ReplayOptions withSpeed(double newSpeed) {
        return new ReplayOptions(topic, newSpeed, packetUs, maxPacketEvents, deliveryTimeout, compression);
    }

    public ReplayOptions withMaxSpeed() {
        return withSpeed(MAX_SPEED);
    }

    public ReplayOptions withPacketUs(long newPacketUs) {
        return new ReplayOptions(topic, speed, newPacketUs, maxPacketEvents, deliveryTimeout, compression);
    }

    public ReplayOptions withMaxPacketEvents(int n) {
        return new ReplayOptions(topic, speed, packetUs, n, deliveryTimeout, compression);
    }

    public ReplayOptions withDeliveryTimeout(Duration d) {
        return new ReplayOptions(topic, speed, packetUs, maxPacketEvents, d, compression);
    }

    public ReplayOptions withCompression(String type) {
        return new ReplayOptions(topic, speed, packetUs, maxPacketEvents, deliveryTimeout, type);
    }

    /** True when there is no pacing. */
    public boolean maxSpeed() {
        return Double.isInfinite(speed);
    }
}
