package io.spikestream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.connectors.recording.Truncation;
import io.spikestream.connectors.recording.gesture.GestureClasses;
import io.spikestream.connectors.recording.gesture.GestureRecording;
import io.spikestream.connectors.recording.gesture.Warnings;
import io.spikestream.model.ModelCard;
import io.spikestream.model.ModelFile;
import io.spikestream.model.ModelWeights;
import io.spikestream.model.safetensors.DType;
import io.spikestream.model.safetensors.SafeTensors;
import io.spikestream.model.train.ConfusionMatrix;
import io.spikestream.model.train.Trainer;
import io.spikestream.model.train.TrainingConfig;
import io.spikestream.pipeline.dataset.GestureSamples;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.job.MsResNetWindowModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikestream train}: trains an MS-ResNet on labelled recordings (DVS128 Gesture layout),
 * framed by the streaming job's framer, with a progress bar, a checkpoint per epoch, resume,
 * and train/test accuracy per epoch; writes a model file with the card and the framing spec.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train an MS-ResNet on userNN_<lighting>.aedat + _labels.csv recordings (train and test users split),",
                "framed exactly as the streaming job frames events. Writes a checkpoint every epoch (OUT.ckpt.safetensors)",
                "and the model file OUT (card, framing and class names in its metadata).",
                "On a shared or busy machine set OMP_NUM_THREADS=1: oneDNN's spinning threads slow down badly under contention."})
public final class TrainCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "folder with the recordings and label files")
    Path data;

    @Option(names = "--card", paramLabel = "CARD.json", description = "architecture (required unless --resume)")
    Path card;

    @Option(names = "--out", required = true, paramLabel = "MODEL.safetensors", description = "model file to write")
    Path out;

    @Option(names = "--resume", paramLabel = "CKPT", description = "continue from a checkpoint (settings and framing come from it)")
    Path resume;

    @Option(names = "--epochs", defaultValue = "20", paramLabel = "E", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch", defaultValue = "16", paramLabel = "B", description = "samples per step (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--frames", defaultValue = "16", paramLabel = "T", description = "timesteps (framing bins) per sample (default: ${DEFAULT-VALUE})")
    int frames;

    @Option(names = "--dt-us", defaultValue = "62500", paramLabel = "US", description = "length of one bin in µs (default: ${DEFAULT-VALUE})")
    long dtUs;

    @Option(names = "--hop", paramLabel = "BINS", description = "bins between the starts of consecutive samples (default: T/2, overlapping windows)")
    Integer hop;

    @Option(names = "--size", defaultValue = "64", paramLabel = "PX", description = "input height and width after pooling (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--clip", description = "clip event counts per pixel and bin to 1")
    boolean clip;

    @Option(names = "--lr", defaultValue = "0.01", paramLabel = "LR", description = "peak learning rate (default: ${DEFAULT-VALUE})")
    double lr;

    @Option(names = "--min-lr", defaultValue = "1e-5", paramLabel = "LR", description = "learning rate at the end of the cosine schedule (default: ${DEFAULT-VALUE})")
    double minLr;

    @Option(names = "--warmup", defaultValue = "0.5", paramLabel = "EPOCHS", description = "linear warm-up epochs (default: ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--optimizer", defaultValue = "adamw", paramLabel = "adamw|sgd", description = "optimizer (default: ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--momentum", defaultValue = "0.9", paramLabel = "M", description = "SGD momentum (default: ${DEFAULT-VALUE})")
    double momentum;

    @Option(names = "--weight-decay", defaultValue = "1e-4", paramLabel = "WD", description = "weight decay of conv and fc weights (default: ${DEFAULT-VALUE})")
    double weightDecay;

    @Option(names = "--label-smoothing", defaultValue = "0.1", paramLabel = "EPS", description = "label smoothing (default: ${DEFAULT-VALUE})")
    double smoothing;

    @Option(names = "--clip-grad", defaultValue = "5", paramLabel = "NORM", description = "global gradient norm limit, 0 = off (default: ${DEFAULT-VALUE})")
    double clipGrad;

    @Option(names = "--shift", defaultValue = "4", paramLabel = "PX", description = "random translation of training samples by up to PX pixels (default: ${DEFAULT-VALUE})")
    int shift;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "initialisation, shuffling and augmentation seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--train-users", defaultValue = "1-23", paramLabel = "RANGES", converter = IdRanges.Users.class,
            description = "users to train on (default: ${DEFAULT-VALUE})")
    IdRanges.IdList trainUsers;

    @Option(names = "--test-users", defaultValue = "24-29", paramLabel = "RANGES", converter = IdRanges.Users.class,
            description = "held-out users to test on after every epoch (default: ${DEFAULT-VALUE})")
    IdRanges.IdList testUsers;

    @Option(names = "--lightings", split = ",", paramLabel = "a,b,...", description = "only recordings under these lightings (default: all)")
    List<String> lightings;

    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "f32|f64", description = "training precision (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--stop-after", paramLabel = "N", description = "stop after N epochs of this run (continue later with --resume)")
    Integer stopAfter;

    @Option(names = "--no-progress", description = "no progress bar (for logs)")
    boolean noProgress;

    @Option(names = "--strict", description = Truncation.STRICT_HELP)
    boolean strict;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        Trainer trainer;
        FramingSpec framing;
        ModelCard modelCard;
        Set<String> lightingSet = lightings == null ? null : new HashSet<>(lightings);
        if (resume != null) {
            Map<String, String> meta = SafeTensors.open(resume).metadata();
            if (!meta.containsKey(FramingSpec.METADATA_KEY)) {
                throw new IOException(resume + ": checkpoint without framing metadata");
            }
            framing = FramingSpec.fromJson(meta.get(FramingSpec.METADATA_KEY));
            if (meta.containsKey("lightings") && !meta.get("lightings").isEmpty()) {
                lightingSet = new HashSet<>(List.of(meta.get("lightings").split(",")));
            }
            trainer = Trainer.resume(resume);
            modelCard = trainer.network().card();
            stderr.printf("resumed %s after epoch %d of %d%n", resume, trainer.epochsDone(), trainer.config().epochs());
        } else {
            if (card == null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--card is required (unless --resume)");
            }
            validate();
            modelCard = ModelCard.read(card);
            framing = new FramingSpec(dtUs, frames, hop == null ? Math.max(1, frames / 2) : hop, size, size,
                    new SensorGeometry(128, 128), 0, FramingSpec.Fit.CROP, clip, false, 0);
            trainer = null;
        }
        List<GestureRecording> trainFiles = GestureSamples.find(data, new HashSet<>(trainUsers.ids()), lightingSet, Warnings.STDERR);
        List<GestureRecording> testFiles = GestureSamples.find(data, new HashSet<>(testUsers.ids()), lightingSet, Warnings.STDERR);
        if (trainFiles.isEmpty()) {
            throw new IOException(data + ": no recordings of training users " + trainUsers.ids());
        }
        for (List<GestureRecording> files : List.of(trainFiles, testFiles)) {
            for (GestureRecording r : files) {
                Recordings.check(r.aedat(), strict, stderr); // the loader reads them leniently
            }
        }
        GestureSamples train = GestureSamples.load(trainFiles, framing, Warnings.STDERR, noProgress ? null : m -> progressLine(stderr, "train data: " + m));
        // test windows do not overlap: each moment of a held-out recording is counted once
        FramingSpec testFraming = framing.withHop(framing.bins());
        GestureSamples test = GestureSamples.load(testFiles, testFraming, Warnings.STDERR, noProgress ? null : m -> progressLine(stderr, "test data: " + m));
        if (!noProgress) {
            stderr.println();
        }
        stdout.printf("data: %d training samples from %d recordings, %d test samples from %d recordings; frames [%d, 2, %d, %d]%n",
                train.size(), trainFiles.size(), test.size(), testFiles.size(), framing.bins(), framing.height(), framing.width());
        stdout.flush();
        if (train.size() == 0) {
            throw new IOException(data + ": no labelled windows of " + framing.windowUs() + " µs inside the takes");
        }
        if (trainer == null) {
            TrainingConfig config = new TrainingConfig(epochs, batch, lr, minLr, warmup, optimizer, momentum, weightDecay,
                    smoothing, clipGrad, shift, seed);
            trainer = Trainer.start(modelCard, config, train.size(), "f64".equals(dtype) ? DataType.DOUBLE : DataType.FLOAT);
        }
        Path checkpoint = out.resolveSibling(out.getFileName() + ".ckpt.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put(FramingSpec.METADATA_KEY, framing.toJson());
        meta.put("lightings", lightingSet == null ? "" : String.join(",", lightingSet));
        meta.put(MsResNetWindowModel.CLASS_NAMES_KEY, MsResNetWindowModel.classNamesJson(classNames(modelCard.numClasses())));
        TrainingConfig cfg = trainer.config();
        ObjectNode results = JSON.createObjectNode();
        ConfusionMatrix lastTest = null;
        long runStart = System.nanoTime();
        int stopAt = stopAfter == null ? cfg.epochs() : Math.min(cfg.epochs(), trainer.epochsDone() + Math.max(1, stopAfter));
        while (trainer.epochsDone() < stopAt) {
            int epoch = trainer.epochsDone();
            ProgressBar bar = noProgress ? null : new ProgressBar(stderr, epoch, cfg.epochs(), train.size());
            Trainer.EpochStats stats = trainer.trainEpoch(train, bar == null ? null : bar::update);
            if (bar != null) {
                bar.finish();
            }
            lastTest = test.size() > 0 ? Trainer.evaluate(trainer.network(), test, Math.max(cfg.batchSize(), 16)) : null;
            stdout.printf(Locale.ROOT, "epoch %d/%d: train loss %.4f acc %.2f%% | test acc %s | %.0f s, %.1f samples/s%n",
                    epoch + 1, cfg.epochs(), stats.loss(), 100 * stats.accuracy(),
                    lastTest == null ? "n/a" : String.format(Locale.ROOT, "%.2f%% (loss %.4f)", 100 * lastTest.accuracy(), lastTest.meanLoss()),
                    stats.seconds(), stats.samples() / stats.seconds());
            stdout.flush();
            ObjectNode e = results.putObject("epoch" + (epoch + 1));
            e.put("train_loss", stats.loss()).put("train_accuracy", stats.accuracy())
                    .put("samples_per_second", stats.samples() / stats.seconds());
            if (lastTest != null) {
                e.put("test_accuracy", lastTest.accuracy()).put("test_loss", lastTest.meanLoss());
            }
            trainer.writeCheckpoint(checkpoint, meta);
        }
        if (trainer.epochsDone() < cfg.epochs()) {
            stdout.printf("stopped after epoch %d of %d; continue with --resume %s%n", trainer.epochsDone(), cfg.epochs(), checkpoint);
        }
        Map<String, String> modelMeta = new LinkedHashMap<>();
        modelMeta.put(FramingSpec.METADATA_KEY, framing.toJson());
        modelMeta.put("training", cfg.toJson());
        // the names travel with the model, so that every consumer shows them (not "class N")
        modelMeta.put(MsResNetWindowModel.CLASS_NAMES_KEY, MsResNetWindowModel.classNamesJson(classNames(modelCard.numClasses())));
        ObjectNode summary = JSON.createObjectNode();
        summary.put("train_samples", train.size()).put("test_samples", test.size())
                .put("train_users", trainUsers.ids().toString()).put("test_users", testUsers.ids().toString())
                .put("seconds_this_run", (System.nanoTime() - runStart) / 1e9);
        if (lastTest != null) {
            summary.put("test_accuracy", lastTest.accuracy());
        }
        summary.set("epochs", results);
        modelMeta.put("results", summary.toString());
        ModelFile.write(out, modelCard, ModelWeights.of(trainer.network().parameters().stateDict()), modelMeta, DType.F32);
        stdout.printf(Locale.ROOT, "wrote %s (%d bytes)%s%n", out, Files.size(out),
                lastTest == null ? "" : String.format(Locale.ROOT, "; held-out test accuracy %.2f%%", 100 * lastTest.accuracy()));
        stdout.flush();
        return Main.OK;
    }

    /** The labels are DVS128 Gesture's 1-11: their names, and {@code class N} for any output beyond them. */
    static List<String> classNames(int classes) {
        List<String> names = new java.util.ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add(c < GestureClasses.COUNT ? GestureClasses.name(c) : "class " + c);
        }
        return names;
    }

    private void validate() {
        CommandLine cl = spec.commandLine();
        if (epochs < 1 || epochs > 10_000) {
            throw new CommandLine.ParameterException(cl, "--epochs must be in [1, 10000], got " + epochs);
        }
        if (batch < 1 || batch > 4096) {
            throw new CommandLine.ParameterException(cl, "--batch must be in [1, 4096], got " + batch);
        }
        if (frames < 1 || frames > 256) {
            throw new CommandLine.ParameterException(cl, "--frames must be in [1, 256], got " + frames);
        }
        if (size < 8 || size > 128) {
            throw new CommandLine.ParameterException(cl, "--size must be in [8, 128], got " + size);
        }
        if (dtUs < 1) {
            throw new CommandLine.ParameterException(cl, "--dt-us must be positive, got " + dtUs);
        }
        if (!"f32".equals(dtype) && !"f64".equals(dtype)) {
            throw new CommandLine.ParameterException(cl, "--dtype must be f32 or f64, got " + dtype);
        }
        if (!"adamw".equals(optimizer) && !"sgd".equals(optimizer)) {
            throw new CommandLine.ParameterException(cl, "--optimizer must be adamw or sgd, got " + optimizer);
        }
        if (!(lr > 0) || minLr < 0 || weightDecay < 0 || clipGrad < 0 || shift < 0 || warmup < 0
                || !(smoothing >= 0 && smoothing < 1)) {
            throw new CommandLine.ParameterException(cl, "--lr must be > 0; --min-lr, --weight-decay, --clip-grad, --shift, --warmup >= 0; "
                    + "--label-smoothing in [0, 1)");
        }
    }

    private static void progressLine(PrintWriter err, String message) {
        err.print("\r" + message + "   ");
        err.flush();
    }

    /** One line on stderr, redrawn in place: epoch, bar, loss, accuracy, samples/s and time left. */
    static final class ProgressBar {
        private static final int WIDTH = 30;
        private final PrintWriter err;
        private final int epoch;
        private final int epochs;
        private final int samples;
        private long lastDraw;

        ProgressBar(PrintWriter err, int epoch, int epochs, int samples) {
            this.err = err;
            this.epoch = epoch;
            this.epochs = epochs;
            this.samples = samples;
        }

        void update(int ep, int done, int total, double loss, double accuracy, double rate) {
            long now = System.nanoTime();
            if (done < total && now - lastDraw < 250_000_000L) {
                return;
            }
            lastDraw = now;
            int filled = (int) ((long) WIDTH * done / Math.max(1, total));
            double left = ((total - done) + (double) (epochs - epoch - 1) * samples) / Math.max(rate, 1e-9);
            err.print(String.format(Locale.ROOT, "\repoch %d/%d [%s%s] %3d%% loss %.4f acc %5.1f%% %6.1f samples/s left %s ",
                    epoch + 1, epochs, "#".repeat(filled), ".".repeat(WIDTH - filled), 100L * done / Math.max(1, total),
                    loss, 100 * accuracy, rate, duration(left)));
            err.flush();
        }

        void finish() {
            err.println();
            err.flush();
        }

        static String duration(double seconds) {
            long s = Math.round(seconds);
            return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                    : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
        }
    }
}
