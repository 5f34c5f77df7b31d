package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.SensorGeometry;
import java.util.Locale;
import java.util.Optional;

/**
 * Pixel-array sizes of named cameras, for formats whose headers name the device instead of giving
 * its size (AEDAT 2.0 chip classes, AEDAT 3.1 sources, Prophesee plugin names and system ids).
 */
final class KnownSensors {
    static final SensorGeometry DVS128 = new SensorGeometry(128, 128);
    static final SensorGeometry DAVIS240 = new SensorGeometry(240, 180);
    static final SensorGeometry DAVIS346 = new SensorGeometry(346, 260);
    static final SensorGeometry DAVIS640 = new SensorGeometry(640, 480);
    static final SensorGeometry DVXPLORER = new SensorGeometry(640, 480);
    static final SensorGeometry PROPHESEE_GEN3 = new SensorGeometry(640, 480);
    static final SensorGeometry PROPHESEE_GEN4 = new SensorGeometry(1280, 720);
    static final SensorGeometry PROPHESEE_GENX320 = new SensorGeometry(320, 320);

    private KnownSensors() {}

    /** iniVation devices by the names jAER and cAER write (case-insensitive substring match). */
    static Optional<SensorGeometry> inivation(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (n.contains("DAVIS346")) {
            return Optional.of(DAVIS346);
        }
        if (n.contains("DAVIS240")) {
            return Optional.of(DAVIS240);
        }
        if (n.contains("DAVIS640")) {
            return Optional.of(DAVIS640);
        }
        if (n.contains("DVXPLORER") && n.contains("LITE")) {
            return Optional.of(new SensorGeometry(320, 240));
        }
        if (n.contains("DVXPLORER")) {
            return Optional.of(DVXPLORER);
        }
        if (n.contains("DVS128")) {
            return Optional.of(DVS128);
        }
        return Optional.empty();
    }

    /** Prophesee sensors by HAL plugin name (e.g. {@code hal_plugin_gen41_evk3}). */
    static Optional<SensorGeometry> prophesee(String pluginName) {
        String n = pluginName.toLowerCase(Locale.ROOT);
        if (n.contains("gen4") || n.contains("imx636") || n.contains("imx646")) {
            return Optional.of(PROPHESEE_GEN4);
        }
        if (n.contains("gen3") || n.contains("gen31")) {
            return Optional.of(PROPHESEE_GEN3);
        }
        if (n.contains("genx320") || n.contains("gen320")) {
            return Optional.of(PROPHESEE_GENX320);
        }
        return Optional.empty();
    }

    /** Prophesee sensors by the {@code system_ID} header value, for headers without a plugin name. */
    static Optional<SensorGeometry> propheseeSystemId(int id) {
        return switch (id) {
            case 21, 28 -> Optional.of(PROPHESEE_GEN3); // Gen3 / Gen3.1 VGA evaluation kits
            case 48 -> Optional.of(PROPHESEE_GEN4); // Gen4.1 EVK3
            default -> Optional.empty();
        };
    }
}
