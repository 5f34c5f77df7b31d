package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code % key value} header of a Prophesee RAW file: which event encoding follows and the
 * sensor geometry, taken from {@code % format ...;height=H;width=W}, else {@code % geometry WxH},
 * else the plugin name or system id.
 *
 * @param format EVT2 or EVT3
 * @param timeOffsetUs added to every timestamp; spikestream's EVT 2.0 writer stores here the part
 *     of absolute timestamps that the 34-bit EVT 2.0 clock cannot hold (0 for camera files)
 * @param cutAt file offset where the file ends inside the header (a line cut short, or the end
 *     of the file before the header gave the geometry); -1 for a whole header
 * @param geometryAssumed the file ends inside the header before its geometry: {@code geometry} is
 *     the usual sensor of the encoding (Gen3 640x480 for EVT 2.0, Gen4 1280x720 for EVT 3.0)
 */
record RawHeader(RecordingFormat format, SensorGeometry geometry, long timeOffsetUs, long cutAt,
        boolean geometryAssumed) {
    static final String TIME_OFFSET_KEY = "% spikestream_time_offset_us";
    private static final Pattern WIDTH = Pattern.compile("width=(\\d+)");
    private static final Pattern HEIGHT = Pattern.compile("height=(\\d+)");
    private static final Pattern GEOMETRY = Pattern.compile("(\\d+)\\s*x\\s*(\\d+)");

    static RawHeader read(ChunkedInput in) throws IOException {
        long start = in.offset();
        TextHeader h = TextHeader.read(in, (byte) '%', "% end");
        if (h.lines().isEmpty()) {
            throw in.error(start, "not a Prophesee RAW file: no '%' header");
        }
        RecordingFormat format = null;
        Optional<String> fmt = h.value("% format");
        Optional<String> evt = h.value("% evt");
        if (fmt.isPresent()) {
            String f = fmt.get().toUpperCase(Locale.ROOT);
            format = f.startsWith("EVT3") ? RecordingFormat.EVT3 : f.startsWith("EVT2") ? RecordingFormat.EVT2 : null;
        }
        if (format == null && evt.isPresent()) {
            format = switch (evt.get()) {
                case "2.0", "2" -> RecordingFormat.EVT2;
                case "3.0", "3" -> RecordingFormat.EVT3;
                default -> null;
            };
        }
        if (format == null) {
            throw in.error(start, "Prophesee RAW header names no supported encoding (% evt 2.0|3.0 or % format EVT2|EVT3): "
                    + fmt.or(() -> evt).orElse("none")
                    + (h.partial() != null ? " (the file ends inside the header, before it names one)" : ""));
        }
        SensorGeometry g;
        boolean assumed = false;
        try {
            Optional<SensorGeometry> found = geometry(h, fmt);
            if (found.isEmpty() && (h.partial() != null || in.atEnd())) {
                // cut before the geometry: no event follows, so the usual sensor stands in
                found = Optional.of(format == RecordingFormat.EVT2 ? KnownSensors.PROPHESEE_GEN3 : KnownSensors.PROPHESEE_GEN4);
                assumed = true;
            }
            g = found.orElseThrow(() -> in.error(start,
                    "Prophesee RAW header gives no geometry (% format ...;width=;height=, % geometry) and names no known sensor"));
        } catch (IllegalArgumentException e) {
            throw in.error(start, "impossible geometry in Prophesee RAW header: " + e.getMessage());
        }
        long offset = 0;
        Optional<String> off = h.value(TIME_OFFSET_KEY);
        if (off.isPresent()) {
            try {
                offset = Long.parseLong(off.get());
            } catch (NumberFormatException e) {
                throw in.error(start, "bad " + TIME_OFFSET_KEY.substring(2) + ": " + off.get());
            }
        }
        long cutAt = h.partial() != null ? h.partialAt() : assumed ? start + h.bytes() : -1;
        return new RawHeader(format, g, offset, cutAt, assumed);
    }

    private static Optional<SensorGeometry> geometry(TextHeader h, Optional<String> fmt) {
        if (fmt.isPresent()) {
            Matcher w = WIDTH.matcher(fmt.get());
            Matcher ht = HEIGHT.matcher(fmt.get());
            if (w.find() && ht.find()) {
                return Optional.of(new SensorGeometry(Integer.parseInt(w.group(1)), Integer.parseInt(ht.group(1))));
            }
        }
        Optional<String> geo = h.value("% geometry");
        if (geo.isPresent()) {
            Matcher m = GEOMETRY.matcher(geo.get());
            if (m.find()) {
                return Optional.of(new SensorGeometry(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
            }
        }
        Optional<SensorGeometry> byPlugin = h.value("% plugin_name").flatMap(KnownSensors::prophesee);
        if (byPlugin.isPresent()) {
            return byPlugin;
        }
        return h.value("% system_ID").flatMap(s -> {
            try {
                return KnownSensors.propheseeSystemId(Integer.parseInt(s));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        });
    }
}
