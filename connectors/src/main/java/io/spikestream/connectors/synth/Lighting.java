package io.spikestream.connectors.synth;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The lighting of a recording session: how bright the scene is (dim scenes have less log-contrast
 * because of the photodiode's dark current), how strongly reflectances differ, how the light falls
 * off across the scene, and the background-activity noise rate it causes.
 *
 * @param name the session name used in file names ({@code userNN_<name>.aedat})
 * @param level illuminance relative to office light; log intensity is {@code ln(level·E·R + dark)}
 * @param contrast scales reflectance differences around mid grey
 * @param gradient left-to-right illumination fall-off (0 = uniform, 0.5 = strong window light)
 * @param backgroundActivityHz background-activity events per pixel per second
 */
public record Lighting(String name, double level, double contrast, double gradient, double backgroundActivityHz) {

    /** The five lighting conditions of DVS128 Gesture. */
    public static final List<Lighting> STANDARD = List.of(
            new Lighting("fluorescent", 1.0, 1.0, 0.10, 0.15),
            new Lighting("fluorescent_led", 1.15, 1.05, 0.10, 0.12),
            new Lighting("lab", 0.35, 0.85, 0.20, 0.60),
            new Lighting("led", 1.3, 1.1, 0.05, 0.10),
            new Lighting("natural", 2.0, 1.2, 0.45, 0.05));

    public Lighting {
        if (name == null || !name.matches("[a-z0-9_]+")) {
            throw new IllegalArgumentException("lighting name must be lower-case letters, digits, '_': " + name);
        }
        if (!(level > 0) || !(contrast > 0) || !(gradient >= 0 && gradient < 1) || !(backgroundActivityHz >= 0)) {
            throw new IllegalArgumentException("impossible lighting " + name);
        }
    }

    /** The standard lighting with this name. */
    public static Lighting named(String name) {
        for (Lighting l : STANDARD) {
            if (l.name.equals(name)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown lighting '" + name + "' (known: "
                + STANDARD.stream().map(Lighting::name).collect(Collectors.joining(", ")) + ")");
    }

    /** Index in {@link #STANDARD}, or a stable hash of the name for other lightings (for seeding). */
    long seedKey() {
        int i = STANDARD.indexOf(this);
        return i >= 0 ? i : name.hashCode() & 0xffffffffL | 1L << 40;
    }
}
