package io.spikestream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.RecordingSummary;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.connectors.recording.Truncation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spikestream info FILE}: reads a recording once, streaming, and prints one JSON object
 * with its format (detected from the content), geometry, event counts and time span.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Print one JSON object describing a recording: format, width, height, events, on, off,",
                "t_first_us, t_last_us, duration_us (and skipped: invalid events the reader dropped), and truncated:",
                "null, or {at_byte, events_lost, reason} for a recording cut short (the rest then describes what was read).",
                "Formats: AEDAT 2.0/3.1/4.0, Prophesee RAW EVT 2.0/3.0, N-MNIST .bin, CSV t,x,y,p (detected from the content)."})
public final class InfoCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the recording")
    Path file;

    @Option(names = "--strict", description = Truncation.STRICT_HELP)
    boolean strict;

    @Override
    public Integer call() throws IOException {
        requireFile(spec, file);
        RecordingSummary s;
        try (EventReader r = Recordings.open(file)) {
            s = RecordingSummary.scan(r);
        }
        if (strict) {
            Truncation.report(s.truncation(), true, spec.commandLine().getErr());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(new ObjectMapper().writeValueAsString(json(s)));
        out.flush();
        return Main.OK;
    }

    static Map<String, Object> json(RecordingSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", s.format().id());
        m.put("width", s.geometry().width());
        m.put("height", s.geometry().height());
        m.put("events", s.events());
        m.put("on", s.on());
        m.put("off", s.off());
        m.put("t_first_us", s.events() == 0 ? null : s.tFirstUs());
        m.put("t_last_us", s.events() == 0 ? null : s.tLastUs());
        m.put("duration_us", s.durationUs());
        m.put("skipped", s.skipped());
        m.put("truncated", s.truncation().map(Truncation::toJson).orElse(null));
        return m;
    }

    /** A missing or unreadable input is a usage error (exit 2), not a runtime failure. */
    static void requireFile(CommandLine.Model.CommandSpec spec, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "no such file: " + file);
        }
        if (!Files.isReadable(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read: " + file);
        }
    }
}
