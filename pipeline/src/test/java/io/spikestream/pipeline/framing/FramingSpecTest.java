package io.spikestream.pipeline.framing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.SensorGeometry;
import org.junit.jupiter.api.Test;

class FramingSpecTest {

    @Test
    void jsonRoundTripKeepsEveryParameter() {
        FramingSpec spec = new FramingSpec(5_000, 8, 4, 32, 48, new SensorGeometry(128, 96), 2,
                FramingSpec.Fit.LETTERBOX, true, true, 3_000);
        assertEquals(spec, FramingSpec.fromJson(spec.toJson()));
    }

    @Test
    void optionalFieldsDefaultToTumblingAutoCropWithoutFilters() {
        FramingSpec spec = FramingSpec.fromJson(
                "{\"dt_us\":10000,\"bins\":5,\"height\":32,\"width\":32,\"sensor_width\":128,\"sensor_height\":128}");
        assertEquals(5, spec.hopBins());
        assertEquals(0, spec.downsample());
        assertEquals(FramingSpec.Fit.CROP, spec.fit());
        assertEquals(false, spec.clip());
        assertEquals(false, spec.denoise());
    }

    @Test
    void missingOrWrongFieldIsNamedInTheError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FramingSpec.fromJson(
                "{\"bins\":5,\"height\":32,\"width\":32,\"sensor_width\":128,\"sensor_height\":128}"));
        assertTrue(e.getMessage().contains("dt_us"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FramingSpec.fromJson(
                "{\"dt_us\":\"soon\",\"bins\":5,\"height\":32,\"width\":32,\"sensor_width\":128,\"sensor_height\":128}"));
        assertTrue(e.getMessage().contains("dt_us"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FramingSpec.fromJson("[1,2]"));
        assertTrue(e.getMessage().contains("JSON object"), e.getMessage());
    }

    @Test
    void refusesWindowsTooLargeToAllocate() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FramingSpec.fromJson(
                "{\"dt_us\":1000,\"bins\":100000,\"height\":4096,\"width\":4096,\"sensor_width\":128,\"sensor_height\":128}"));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }

    @Test
    void refusesAHopLongerThanTheWindow() {
        assertThrows(IllegalArgumentException.class,
                () -> FramingSpec.tumbling(1000, 4, 8, 8, new SensorGeometry(8, 8)).withHop(5));
    }
}
