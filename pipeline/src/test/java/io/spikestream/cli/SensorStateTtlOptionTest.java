package io.spikestream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --sensor-state-ttl}: the durations it reads, the ones it refuses, and its default of one hour. */
class SensorStateTtlOptionTest {
    final RunCommand.DurationConverter converter = new RunCommand.DurationConverter();

    @Test
    void readsUnitsAndIso8601() {
        assertEquals(Duration.ofMillis(500), converter.convert("500ms"));
        assertEquals(Duration.ofSeconds(90), converter.convert("90s"));
        assertEquals(Duration.ofMinutes(30), converter.convert("30m"));
        assertEquals(Duration.ofHours(1), converter.convert("1h"));
        assertEquals(Duration.ofDays(2), converter.convert("2d"));
        assertEquals(Duration.ofMinutes(90), converter.convert("1.5h"));
        assertEquals(Duration.ofHours(1), converter.convert("PT1H"));
    }

    @Test
    void refusesWhatIsNotAPositiveDuration() {
        for (String bad : new String[] {"0s", "-5m", "1w", "soon", "PT0S"}) {
            assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert(bad), bad);
        }
    }

    @Test
    void theDefaultIsOneHourAndAppearsInTheHelp() {
        Cli.Run help = Cli.run("run", "--help");
        assertTrue(help.out().contains("--sensor-state-ttl") && help.out().contains("default: 1h"), help.out());
    }
}
