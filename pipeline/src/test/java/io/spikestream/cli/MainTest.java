package io.spikestream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    @Test
    void helpExitsZeroAndListsTheProgram() {
        StringWriter out = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        assertEquals(Main.OK, cl.execute("--help"));
        assertTrue(out.toString().contains("spikestream"), out.toString());
    }

    @Test
    void unknownOptionIsAOneLineUsageErrorWithExitCodeTwo() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        assertEquals(Main.USAGE, cl.execute("--no-such-option"));
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
    }
}
