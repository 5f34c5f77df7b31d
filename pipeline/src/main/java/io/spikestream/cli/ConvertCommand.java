package io.spikestream.cli;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.EventWriter;
import io.spikestream.connectors.recording.RecordingFormat;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.connectors.recording.Truncation;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spikestream convert IN OUT}: streams the events of any readable recording into the format
 * named by OUT's extension. Progress and a summary go to stderr; stdout stays quiet. A failed
 * conversion removes the partial output.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a recording; the output format follows OUT's extension:",
                ".aedat (AEDAT 3.1), .aedat4 (AEDAT 4.0, LZ4), .raw (Prophesee EVT 2.0), .bin (N-MNIST), .csv (t,x,y,p).",
                "The input format is detected from the content."})
public final class ConvertCommand implements Callable<Integer> {
    private static final int BATCH = 1 << 16;
    private static final long PROGRESS_NS = 1_000_000_000L;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN", description = "input recording")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "output file (.aedat, .aedat4, .raw, .bin, .csv)")
    Path out;

    @Option(names = "--strict", description = Truncation.STRICT_HELP)
    boolean strict;

    @Override
    public Integer call() throws IOException {
        InfoCommand.requireFile(spec, in);
        RecordingFormat target = Recordings.formatForExtension(out).orElseThrow(() -> new CommandLine.ParameterException(
                spec.commandLine(), "unknown output extension of '" + out.getFileName() + "': use .aedat, .aedat4, .raw, .bin or .csv"));
        if (Files.exists(out) && Files.isSameFile(in, out)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "OUT is the same file as IN: " + out);
        }
        PrintWriter err = spec.commandLine().getErr();
        long start = System.nanoTime();
        long events = 0;
        RecordingFormat source;
        String geometry;
        long skipped;
        Optional<Truncation> truncation;
        boolean ok = false;
        try (EventReader r = Recordings.open(in)) {
            source = r.format();
            geometry = r.geometry().toString();
            try (EventWriter w = Recordings.writer(out, target, r.geometry())) {
                EventBatch b = new EventBatch(BATCH);
                long lastReport = start;
                while (r.read(b, BATCH)) {
                    w.write(b);
                    events += b.size();
                    long now = System.nanoTime();
                    if (now - lastReport > PROGRESS_NS) {
                        err.print("\rconverted " + events + " events");
                        err.flush();
                        lastReport = now;
                    }
                }
            }
            skipped = r.skipped();
            truncation = r.truncation();
            if (strict) {
                Truncation.report(truncation, true, err); // fails, and the partial output goes
            }
            ok = true;
        } finally {
            if (!ok) {
                Files.deleteIfExists(out);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        err.println(String.format(Locale.ROOT, "\rconverted %d events (%s, %s) to %s %s in %.2f s (%.1f M events/s), %d skipped",
                events, source.id(), geometry, target.id(), out, seconds, events / seconds / 1e6, skipped));
        Truncation.report(truncation, false, err);
        err.flush();
        return Main.OK;
    }
}
