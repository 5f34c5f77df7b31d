package io.spikestream.connectors.replay;

import java.util.Locale;

/**
 * The outcome of a finished replay, every packet acknowledged by the broker.
 *
 * @param topic the topic written
 * @param sensors how many sensors (recordings) were replayed
 * @param events events published
 * @param packets packets published
 * @param bytes serialized key and value bytes acknowledged
 * @param seconds wall time from the first packet to the last acknowledgement
 * @param eventsPerSecond events divided by seconds
 * @param maxLagMs the largest delay of a packet behind its schedule (0 when not paced)
 * @param speed the pace asked for ({@code Infinity} for max speed)
 */
public record ReplaySummary(String topic, int sensors, long events, long packets, long bytes, double seconds,
                            double eventsPerSecond, double maxLagMs, double speed) {

    /** One JSON object on one line. */
    public String toJson() {
        return String.format(Locale.ROOT,
                "{\"topic\":\"%s\",\"sensors\":%d,\"events\":%d,\"packets\":%d,\"bytes\":%d,\"seconds\":%.3f,"
                        + "\"events_per_second\":%.1f,\"max_lag_ms\":%.3f,\"speed\":%s}",
                escape(topic), sensors, events, packets, bytes, seconds, eventsPerSecond, maxLagMs,
                Double.isInfinite(speed) ? "\"max\"" : String.format(Locale.ROOT, "%s", speed));
    }

    /** One readable line. */
    public String describe() {
        return String.format(Locale.ROOT, "replayed %,d events in %,d packets (%,.1f MB) to %s in %.2f s: %,.0f events/s, largest lag %.1f ms%s",
                events, packets, bytes / 1e6, topic, seconds, eventsPerSecond, maxLagMs,
                Double.isInfinite(speed) ? " (max speed)" : String.format(Locale.ROOT, " (speed %sx)", speed));
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
