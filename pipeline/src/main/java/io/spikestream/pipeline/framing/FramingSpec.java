package io.spikestream.pipeline.framing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spikestream.connectors.event.SensorGeometry;
import java.util.Locale;

/**
 * How events become the model's input frames: event-time bins of {@code dtUs}, windows of
 * {@code bins} bins advancing by {@code hopBins} (= bins: tumbling), two polarity channels,
 * spatial sum pooling by an integer factor onto a {@code height x width} input, then centred
 * crop or letterbox where the aspect ratios differ, optional clipping of counts to 1 and an
 * optional background-activity denoise filter.
 *
 * <p>The spec belongs to the model: training builds its frames with it and it is stored in the
 * model file's metadata ({@link #toJson()}, key {@link #METADATA_KEY}), so serving bins exactly
 * as training did.
 *
 * @param sensor the geometry the model was trained on; used for sensors that do not announce one
 * @param downsample the pooling factor; 0 chooses it per sensor from {@code fit} (see {@link PixelMap})
 */
public record FramingSpec(
        long dtUs,
        int bins,
        int hopBins,
        int height,
        int width,
        SensorGeometry sensor,
        int downsample,
        Fit fit,
        boolean clip,
        boolean denoise,
        long denoiseWindowUs) {

    /** The key of the framing spec in a model file's {@code __metadata__}. */
    public static final String METADATA_KEY = "framing";

    /** Largest window the framer builds (floats), so a hostile model file cannot exhaust memory. */
    static final long MAX_WINDOW_FLOATS = 1L << 26;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** How a sensor whose pooled size differs from the input size is fitted onto it. */
    public enum Fit {
        /** Pool by the largest factor that still covers the input, cut the overhang (centred). */
        CROP,
        /** Pool by the smallest factor that fits the whole sensor, pad the rest with zeros (centred). */
        LETTERBOX
    }

    public FramingSpec {
        if (dtUs <= 0) {
            throw new IllegalArgumentException("framing: dt must be > 0 µs, got " + dtUs);
        }
        if (bins <= 0 || bins > 100_000) {
            throw new IllegalArgumentException("framing: bins per window must be in [1, 100000], got " + bins);
        }
        if (hopBins <= 0 || hopBins > bins) {
            throw new IllegalArgumentException("framing: hop must be in [1, bins=" + bins + "], got " + hopBins);
        }
        if (height <= 0 || width <= 0 || height > 65535 || width > 65535) {
            throw new IllegalArgumentException("framing: impossible input size " + height + "x" + width);
        }
        if ((long) bins * 2 * height * width > MAX_WINDOW_FLOATS) {
            throw new IllegalArgumentException("framing: a window of " + bins + "x2x" + height + "x" + width
                    + " floats exceeds the limit of " + MAX_WINDOW_FLOATS);
        }
        if (sensor == null) {
            throw new IllegalArgumentException("framing: sensor geometry missing");
        }
        if (downsample < 0 || downsample > 65535) {
            throw new IllegalArgumentException("framing: downsample factor must be >= 0 (0 = auto), got " + downsample);
        }
        if (fit == null) {
            throw new IllegalArgumentException("framing: fit (crop|letterbox) missing");
        }
        if (denoise && denoiseWindowUs <= 0) {
            throw new IllegalArgumentException("framing: denoise window must be > 0 µs, got " + denoiseWindowUs);
        }
    }

    /** A tumbling spec without denoise or clipping, pooling {@code sensor} onto {@code height x width}. */
    public static FramingSpec tumbling(long dtUs, int bins, int height, int width, SensorGeometry sensor) {
        return new FramingSpec(dtUs, bins, bins, height, width, sensor, 0, Fit.CROP, false, false, 0);
    }

    public FramingSpec withHop(int hop) {
        return new FramingSpec(dtUs, bins, hop, height, width, sensor, downsample, fit, clip, denoise, denoiseWindowUs);
    }

    public FramingSpec withClip(boolean c) {
        return new FramingSpec(dtUs, bins, hopBins, height, width, sensor, downsample, fit, c, denoise, denoiseWindowUs);
    }

    public FramingSpec withDenoise(long windowUs) {
        return new FramingSpec(dtUs, bins, hopBins, height, width, sensor, downsample, fit, clip, windowUs > 0, windowUs);
    }

    public FramingSpec withDownsample(int factor, Fit f) {
        return new FramingSpec(dtUs, bins, hopBins, height, width, sensor, factor, f, clip, denoise, denoiseWindowUs);
    }

    public FramingSpec withDt(long dt) {
        return new FramingSpec(dt, bins, hopBins, height, width, sensor, downsample, fit, clip, denoise, denoiseWindowUs);
    }

    public FramingSpec withBins(int k, int hop) {
        return new FramingSpec(dtUs, k, hop, height, width, sensor, downsample, fit, clip, denoise, denoiseWindowUs);
    }

    /** Floats in one bin: two polarity planes of {@code height x width}. */
    public int binSize() {
        return 2 * height * width;
    }

    /** Floats in one window, laid out {@code [bins, 2, height, width]}. */
    public int windowSize() {
        return bins * binSize();
    }

    /** Length of a window in µs. */
    public long windowUs() {
        return bins * dtUs;
    }

    /** Distance between the starts of consecutive windows in µs. */
    public long hopUs() {
        return hopBins * dtUs;
    }

    /** The JSON stored under {@code __metadata__["framing"]}. */
    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("dt_us", dtUs);
        n.put("bins", bins);
        n.put("hop_bins", hopBins);
        n.put("height", height);
        n.put("width", width);
        n.put("sensor_width", sensor.width());
        n.put("sensor_height", sensor.height());
        n.put("downsample", downsample);
        n.put("fit", fit.name().toLowerCase(Locale.ROOT));
        n.put("clip", clip);
        n.put("denoise", denoise);
        n.put("denoise_window_us", denoiseWindowUs);
        return n.toString();
    }

    /**
     * Parses {@link #toJson()}'s form. Missing optional fields take their defaults (hop = bins,
     * downsample auto, crop, no clipping, no denoise).
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    public static FramingSpec fromJson(String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("framing metadata is not JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("framing metadata must be a JSON object, got: " + abbreviate(json));
        }
        int bins = (int) required(n, "bins");
        String fit = n.path("fit").asText("crop");
        Fit f;
        try {
            f = Fit.valueOf(fit.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("framing metadata: fit must be crop or letterbox, got '" + fit + "'");
        }
        return new FramingSpec(
                required(n, "dt_us"),
                bins,
                (int) optional(n, "hop_bins", bins),
                (int) required(n, "height"),
                (int) required(n, "width"),
                new SensorGeometry((int) required(n, "sensor_width"), (int) required(n, "sensor_height")),
                (int) optional(n, "downsample", 0),
                f,
                n.path("clip").asBoolean(false),
                n.path("denoise").asBoolean(false),
                optional(n, "denoise_window_us", 0));
    }

    private static long required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException("framing metadata: field '" + field + "' must be an integer, got "
                    + (v == null ? "nothing" : v.toString()));
        }
        long value = v.asLong();
        if (value > Integer.MAX_VALUE && !field.endsWith("_us")) {
            throw new IllegalArgumentException("framing metadata: field '" + field + "' too large: " + value);
        }
        return value;
    }

    private static long optional(JsonNode n, String field, long dflt) {
        return n.has(field) ? required(n, field) : dflt;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
