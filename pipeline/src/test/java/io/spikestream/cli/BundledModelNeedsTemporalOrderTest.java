package io.spikestream.cli;

import static io.spikestream.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.cli.Cli.Run;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clockwise and counter-clockwise arm rolls differ only in the order of their frames. The bundled
 * model tells them apart on held-out users, and with each window's frames shuffled in time it
 * falls to even odds between the two directions while still seeing which arm moves.
 */
class BundledModelNeedsTemporalOrderTest {
    private static final Pattern DIRECTION = Pattern.compile(
            "direction \\(classes 4,5,6,7, told apart only by temporal order\\): ([0-9.]+)% of (\\d+) right, ([0-9.]+)% taken for the opposite direction");

    @TempDir static Path dir;
    static Path model;
    static Path data;

    @BeforeAll
    static void simulateHeldOutRolls() throws Exception {
        model = BundledModelTest.resource(DemoCommand.BUNDLED_MODEL, dir.resolve("model.safetensors"));
        data = dir.resolve("rolls");
        // the bundled model's held-out users come from dataset seed 12 (README of the bundle)
        Run r = run("synth", "--out", data.toString(), "--users", "24-27", "--classes", "4-7",
                "--lightings", "lab,natural", "--seed", "12");
        assertEquals(Main.OK, r.exit(), r.err());
    }

    /** {percent right, samples, percent taken for the opposite direction} from evaluate's output. */
    private static double[] direction(String... extra) {
        String[] base = {"evaluate", "--data", data.toString(), "--model", model.toString(), "--users", "24-27",
                "--png", dir.resolve("confusion.png").toString()};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        Run r = run(args);
        assertEquals(Main.OK, r.exit(), r.err());
        Matcher m = DIRECTION.matcher(r.out());
        assertTrue(m.find(), r.out());
        System.out.println("bundled model, held-out rolls" + (extra.length > 0 ? " (frames shuffled)" : "") + ": " + m.group());
        return new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))};
    }

    @Test
    void inTimeOrderTheDirectionOfEveryRollIsRecognised() {
        double[] d = direction();
        assertTrue(d[1] >= 48, d[1] + " roll windows");
        assertTrue(d[0] >= 90, "direction right in " + d[0] + " %");
    }

    @Test
    void withFramesShuffledInTimeTheDirectionIsAboutChance() {
        double[] d = direction("--shuffle-time", "1");
        // 50 % is chance between the two directions; the bound is about four standard deviations for ~60 windows
        assertTrue(d[0] >= 25 && d[0] <= 75, "direction right in " + d[0] + " % of " + d[1] + " shuffled windows");
        assertTrue(d[0] + d[2] >= 90, "the arm is still recognised: right " + d[0] + " %, opposite direction " + d[2] + " %");
    }
}
