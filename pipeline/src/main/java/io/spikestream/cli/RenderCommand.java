package io.spikestream.cli;

import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.Truncation;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.model.ModelFile;
import io.spikestream.pipeline.job.ModelSetup;
import io.spikestream.pipeline.job.MsResNetWindowModel;
import io.spikestream.view.RecordingRenderer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spikestream render}: a recording as pictures, streamed: {@code OUT.png} (a grid of event
 * frames) and {@code OUT.gif} (an animation), optionally captioned with a model's decisions.
 */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = {"Render a recording (any format spikestream reads) as event frames: ON orange, OFF blue,",
            "a time label on each. Writes OUT.png (a grid) and OUT.gif (an animation at real-time pace).",
            "Streams: memory is bounded by the frame size and --max-frames, not by the recording's length.",
            "With --model each frame is captioned with the top class and probability of its window."})
public final class RenderCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "the recording")
    Path input;

    @Option(names = "--out", required = true, paramLabel = "OUT", description = "writes OUT.png and OUT.gif")
    Path out;

    @Option(names = "--dt-us", defaultValue = "50000", paramLabel = "US", description = "length of one frame in µs (default: ${DEFAULT-VALUE})")
    long dtUs;

    @Option(names = "--from-us", paramLabel = "US", description = "start at this timestamp (default: the first event)")
    Long fromUs;

    @Option(names = "--to-us", paramLabel = "US", description = "stop before this timestamp (default: the end)")
    Long toUs;

    @Option(names = "--max-frames", defaultValue = "64", paramLabel = "N", description = "stop after N frames (default: ${DEFAULT-VALUE})")
    int maxFrames;

    @Option(names = "--scale", paramLabel = "S", description = "output pixels per sensor pixel, e.g. 2 or 0.5 (default: the longer side about 256 px)")
    Double scale;

    @Option(names = "--model", paramLabel = "FILE", description = "caption each frame with this model's decision for its window")
    Path model;

    @Option(names = "--strict", description = Truncation.STRICT_HELP)
    boolean strict;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(input)) {
            throw new IOException(input + " does not exist");
        }
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String base = out.toString().replaceFirst("\\.(png|gif)$", "");
        Path png = Path.of(base + ".png");
        Path gif = Path.of(base + ".gif");
        if (png.toAbsolutePath().getParent() != null) {
            Files.createDirectories(png.toAbsolutePath().getParent());
        }
        ModelSetup setup = null;
        MsResNetWindowModel net = null;
        if (model != null) {
            setup = ModelSetup.read(model);
            setup.noteUnnamedClasses(err);
            net = new MsResNetWindowModel(ModelFile.read(model), setup.modelId());
        }
        try (EventReader reader = Recordings.open(input)) {
            RecordingRenderer.Options options;
            try {
                options = new RecordingRenderer.Options(dtUs, fromUs, toUs, maxFrames,
                        scale != null ? scale : RecordingRenderer.Options.autoScale(reader.geometry()));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            System.setProperty("java.awt.headless", "true");
            RecordingRenderer.Summary s = RecordingRenderer.render(reader, options, png, gif, net, setup == null ? null : setup.framing());
            // a recording cut short (known once the reader reached its end) is one warning, or an error with --strict
            Truncation.report(reader.truncation(), strict, err);
            stdout.printf(Locale.ROOT, "%s, %s: %d frames of %.1f ms from %.3f s to %.3f s, %,d events%s in %.2f s (%,.0f events/s, %.0f frames/s; %.2f s CPU)%n",
                    png, gif, s.frames(), dtUs / 1e3, s.firstFrameUs() / 1e6, s.endUs() / 1e6, s.events(),
                    model == null ? "" : ", " + s.windowsClassified() + " windows classified", s.seconds(), s.events() / s.seconds(),
                    s.frames() / s.seconds(), s.cpuSeconds());
            if (s.truncated()) {
                stdout.printf(Locale.ROOT, "stopped at --max-frames %d; continue with --from-us %d%n", maxFrames, s.endUs());
            }
            stdout.flush();
        } finally {
            if (net != null) {
                net.close();
            }
        }
        return Main.OK;
    }
}
