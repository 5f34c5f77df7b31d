package io.spikestream.cli;

import io.spikestream.connectors.recording.gesture.GestureClasses;
import io.spikestream.connectors.recording.gesture.GestureRecording;
import io.spikestream.connectors.recording.gesture.Warnings;
import io.spikestream.connectors.synth.Gesture;
import io.spikestream.model.ModelFile;
import io.spikestream.model.train.ConfusionMatrix;
import io.spikestream.model.train.SpikingResNet;
import io.spikestream.model.train.TimeShuffledData;
import io.spikestream.model.train.Trainer;
import io.spikestream.pipeline.dataset.GestureSamples;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.job.MsResNetWindowModel;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikestream evaluate}: accuracy per class of a model on labelled recordings, framed
 * with the framing spec stored in the model file, and the confusion matrix as a PNG.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Accuracy per class of a model on userNN_<lighting>.aedat + _labels.csv recordings (non-overlapping",
                "windows, framing from the model file's metadata) and a confusion-matrix PNG."})
public final class EvaluateCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "folder with the recordings and label files")
    Path data;

    @Option(names = "--model", required = true, paramLabel = "M.safetensors", description = "model file with card and framing metadata")
    Path model;

    @Option(names = "--users", defaultValue = "24-29", paramLabel = "RANGES", converter = IdRanges.Users.class,
            description = "users to evaluate (default: ${DEFAULT-VALUE}, the held-out users)")
    IdRanges.IdList users;

    @Option(names = "--lightings", split = ",", paramLabel = "a,b,...", description = "only recordings under these lightings (default: all)")
    List<String> lightings;

    @Option(names = "--png", paramLabel = "FILE", description = "confusion matrix image (default: confusion.png next to the model)")
    Path png;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "N", description = "samples per forward pass (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--shuffle-time", paramLabel = "SEED",
            description = "permute each sample's timesteps (seeded) to measure how much the model relies on temporal order")
    Long shuffleTime;

    @Override
    public Integer call() throws IOException {
        if (batch < 1 || batch > 4096) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--batch must be in [1, 4096], got " + batch);
        }
        ModelFile file = ModelFile.read(model);
        String framingJson = file.metadata().get(FramingSpec.METADATA_KEY);
        if (framingJson == null) {
            throw new IOException(model + ": no framing spec in __metadata__[\"framing\"]; the model does not say how to frame events");
        }
        FramingSpec trained = FramingSpec.fromJson(framingJson);
        FramingSpec framing = trained.withHop(trained.bins());
        SpikingResNet net = SpikingResNet.msResNet(file.card(), DataType.FLOAT);
        try {
            net.parameters().load(file.weights().asMap());
        } catch (IllegalArgumentException e) {
            throw new IOException(model + ": " + e.getMessage(), e);
        }
        List<GestureRecording> files = GestureSamples.find(data, new HashSet<>(users.ids()),
                lightings == null ? null : new HashSet<>(lightings), Warnings.STDERR);
        if (files.isEmpty()) {
            throw new IOException(data + ": no recordings of users " + users.ids());
        }
        int classes = file.card().numClasses();
        List<String> names = MsResNetWindowModel.classNames(file);
        if (MsResNetWindowModel.storedClassNames(file) == null) {
            spec.commandLine().getErr().println(io.spikestream.pipeline.job.ModelSetup.unnamedNotice(model));
            spec.commandLine().getErr().flush();
        }
        GestureSamples samples = GestureSamples.load(files, framing, Warnings.STDERR, null);
        if (samples.size() == 0) {
            throw new IOException(data + ": no labelled windows of " + framing.windowUs() + " µs inside the takes");
        }
        ConfusionMatrix eval = Trainer.evaluate(net, shuffleTime == null ? samples : new TimeShuffledData(samples, shuffleTime), batch);
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%d samples from %d recordings of users %s%s%n", samples.size(), files.size(), users.ids(),
                shuffleTime == null ? "" : ", timesteps shuffled (seed " + shuffleTime + ")");
        out.printf(Locale.ROOT, "%-5s %-28s %8s %9s%n", "class", "gesture", "samples", "accuracy");
        for (int c = 0; c < classes; c++) {
            long n = 0;
            for (long v : eval.confusion()[c]) {
                n += v;
            }
            out.printf(Locale.ROOT, "%-5d %-28s %8d %8.2f%%%n", c + 1, names.get(c), n,
                    n == 0 ? Double.NaN : 100 * eval.classAccuracy(c));
        }
        out.printf(Locale.ROOT, "accuracy %.2f%% (%d samples), mean loss %.4f%n", 100 * eval.accuracy(), eval.samples(), eval.meanLoss());
        if (classes == GestureClasses.COUNT) {
            printDirection(eval, out);
        }
        Path image = png != null ? png : model.toAbsolutePath().resolveSibling("confusion.png");
        writeConfusionPng(eval, classes, image);
        out.println("confusion matrix: " + image);
        out.flush();
        return Main.OK;
    }

    /**
     * The clockwise and counter-clockwise classes differ only in the order of their frames: how
     * often each is right and how often it is taken for its {@linkplain Gesture#temporalTwin()
     * twin}. Compare a run with {@code --shuffle-time}, where a model that needs order drops to
     * even odds between the two directions.
     */
    private static void printDirection(ConfusionMatrix eval, PrintWriter out) {
        long n = 0;
        long right = 0;
        long twin = 0;
        List<Integer> twins = new ArrayList<>();
        for (Gesture g : Gesture.values()) {
            if (g.temporalTwin() == null) {
                continue;
            }
            int c = g.ordinal();
            twins.add(c + 1);
            for (long v : eval.confusion()[c]) {
                n += v;
            }
            right += eval.confusion()[c][c];
            twin += eval.confusion()[c][g.temporalTwin().ordinal()];
        }
        if (n > 0) {
            out.printf(Locale.ROOT, "direction (classes %s, told apart only by temporal order): %.2f%% of %d right, %.2f%% taken for the opposite direction%n",
                    twins.stream().map(String::valueOf).collect(Collectors.joining(",")), 100.0 * right / n, n, 100.0 * twin / n);
        }
    }

    /** Rows = true class, columns = predicted; cell shade = share of the row. */
    static void writeConfusionPng(ConfusionMatrix eval, int classes, Path file) throws IOException {
        int cell = 40;
        int margin = 60;
        int side = margin + classes * cell + 10;
        BufferedImage img = new BufferedImage(side, side + 20, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, img.getWidth(), img.getHeight());
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            long[][] m = eval.confusion();
            for (int r = 0; r < classes; r++) {
                long rowSum = 0;
                for (long v : m[r]) {
                    rowSum += v;
                }
                for (int c = 0; c < classes; c++) {
                    double share = rowSum == 0 ? 0 : (double) m[r][c] / rowSum;
                    int shade = (int) Math.round(255 * (1 - share));
                    g.setColor(new Color(shade, shade, 255));
                    int x = margin + c * cell;
                    int y = margin + r * cell;
                    g.fillRect(x, y, cell, cell);
                    g.setColor(Color.LIGHT_GRAY);
                    g.drawRect(x, y, cell, cell);
                    g.setColor(share > 0.5 ? Color.WHITE : Color.BLACK);
                    g.drawString(Long.toString(m[r][c]), x + 6, y + cell / 2 + 4);
                }
                g.setColor(Color.BLACK);
                g.drawString(Integer.toString(r + 1), margin - 20, margin + r * cell + cell / 2 + 4);
                g.drawString(Integer.toString(r + 1), margin + r * cell + cell / 2 - 4, margin - 8);
            }
            g.drawString("true class (rows) vs predicted (columns)", 5, 15);
            g.drawString(String.format(Locale.ROOT, "accuracy %.2f%%", 100 * eval.accuracy()), 5, side + 12);
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException(file + ": no PNG writer available");
        }
    }
}
