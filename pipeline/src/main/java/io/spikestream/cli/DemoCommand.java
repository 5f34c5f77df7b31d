package io.spikestream.cli;

import io.spikestream.connectors.kafka.KafkaClientSettings;
import io.spikestream.connectors.kafka.LocalKafkaBroker;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.connectors.recording.gesture.GestureLabel;
import io.spikestream.connectors.recording.gesture.GestureLabels;
import io.spikestream.connectors.replay.ReplayOptions;
import io.spikestream.connectors.replay.ReplayProgress;
import io.spikestream.connectors.replay.ReplaySource;
import io.spikestream.connectors.replay.ReplaySummary;
import io.spikestream.connectors.replay.Replayer;
import io.spikestream.model.ModelFile;
import io.spikestream.pipeline.job.ClassificationResult;
import io.spikestream.pipeline.job.Evaluation;
import io.spikestream.pipeline.job.JobConfig;
import io.spikestream.pipeline.job.ModelSetup;
import io.spikestream.pipeline.job.MsResNetWindowModel;
import io.spikestream.pipeline.job.SpikestreamJob;
import io.spikestream.view.LiveView;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikestream demo}: the whole product on one machine. Starts an embedded Kafka broker,
 * replays the bundled labelled recording into it at real-time pace, runs the streaming job on a
 * local Flink with the bundled trained model, prints each classification as it arrives under a
 * live status line, and ends with a summary (events, windows, latency, accuracy against the
 * recording's labels). It refuses models without a training record: untrained weights are never
 * presented as a classifier.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Embedded Kafka + local Flink: replay the bundled labelled DVS recording in real time and classify it live",
            "with the bundled trained MS-ResNet; ends with events, windows, latency p50/p99 and accuracy against the labels."})
public final class DemoCommand implements Callable<Integer> {
    /** Where the training issue puts the bundled model and recording (classpath resources). */
    public static final String BUNDLE = "io/spikestream/bundled/";
    public static final String BUNDLED_MODEL = "gesture-msresnet.safetensors";
    public static final String BUNDLED_RECORDING = "demo.aedat";
    public static final String BUNDLED_LABELS = "demo_labels.csv";
    /** The model-file metadata key the trainer writes (what it was trained on and how well it did). */
    public static final String TRAINING_KEY = "training";

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--speed", defaultValue = "1", description = "replay speed, 1 = real time (default: ${DEFAULT-VALUE})")
    double speed;

    @Option(names = "--model", paramLabel = "FILE", description = "a trained model file instead of the bundled one")
    Path model;

    @Option(names = "--recording", paramLabel = "FILE", description = "a recording instead of the bundled one")
    Path recording;

    @Option(names = "--labels", paramLabel = "CSV", description = "labels of --recording (class,startTime_usec,endTime_usec)")
    Path labels;

    @Option(names = "--quiet", description = "no per-window lines, only the status line and the summary")
    boolean quiet;

    // settings for the demo's own clients of its embedded (plaintext) broker: tuning such as client ids or fetch sizes
    @CommandLine.Mixin
    KafkaOptions kafkaOptions = new KafkaOptions();

    @CommandLine.Mixin
    ViewOptions ui = new ViewOptions();

    @Option(names = "--no-ui", description = "no live view (by default it opens on a free port, see --ui-port)")
    boolean noUi;

    @Override
    public Integer call() throws Exception {
        if (!(speed > 0)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--speed must be > 0");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path work = Files.createTempDirectory("spikestream-demo-");
        try {
            Path modelFile = model != null ? model : bundled(BUNDLED_MODEL, work, "the bundled trained model");
            requireTrained(modelFile);
            Path rec = recording != null ? recording : bundled(BUNDLED_RECORDING, work, "the bundled demo recording");
            Path lab = labels != null ? labels : recording != null ? null : bundledOptional(BUNDLED_LABELS, work);
            ModelSetup setup = ModelSetup.read(modelFile);
            setup.noteUnnamedClasses(err);
            JobConfig config = JobConfig.defaults(setup.framing(), modelFile.toAbsolutePath().toString())
                    .withBatching(4, 10).withQuietFlush(1_000);
            List<Evaluation.Sample> samples = new ArrayList<>();
            String sensor = "demo-camera";
            if (lab != null) {
                for (GestureLabel l : GestureLabels.read(lab, (f, line, problem) -> err.println("warning: " + f + ":" + line + ": " + problem))) {
                    samples.add(new Evaluation.Sample(sensor, l.classIndex(), l.startUs(), l.endUs()));
                }
            }
            return run(out, err, setup, config, rec, sensor, samples);
        } finally {
            deleteQuietly(work);
        }
    }

    private int run(PrintWriter out, PrintWriter err, ModelSetup setup, JobConfig config, Path rec, String sensor,
                    List<Evaluation.Sample> samples) throws Exception {
        err.println("spikestream demo: starting an embedded Kafka broker and a local Flink (model " + setup.modelId() + ") ...");
        err.flush();
        KafkaClientSettings clientSettings = kafkaOptions.settings();
        try (LocalKafkaBroker kafka = LocalKafkaBroker.start()) {
            String topic = "events";
            createTopic(kafka, topic);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            env.setParallelism(1);
            var input = SpikestreamJob.kafkaInput(env, kafka.bootstrapServers(), topic, "demo", OffsetsInitializer.earliest(), null,
                    config, clientSettings);
            SpikestreamJob.Streams job = SpikestreamJob.build(input, config, MsResNetWindowModel::load);
            LiveView live = ui.attach(job, env, setup.classNames(), out, noUi ? null : 0);
            List<ClassificationResult> results = new ArrayList<>();
            AtomicReference<ReplayProgress> progress = new AtomicReference<>();
            AtomicReference<Object> replayOutcome = new AtomicReference<>();
            try (live; CloseableIterator<ClassificationResult> it = job.classifications().collectAsync()) {
                JobClient client = env.executeAsync("spikestream demo");
                Thread replay = new Thread(() -> {
                    try (EventReader reader = Recordings.open(rec)) {
                        ReplaySummary s = Replayer.replay(List.of(new ReplaySource(sensor, reader)),
                                ReplayOptions.realTime(topic).withSpeed(speed), kafka.bootstrapServers(), clientSettings, progress::set);
                        replayOutcome.set(s);
                    } catch (IOException | RuntimeException e) {
                        replayOutcome.set(e);
                    }
                }, "demo-replay");
                replay.setDaemon(true);
                replay.start();
                // the collect iterator blocks; drain it on its own thread so the status line keeps moving
                java.util.concurrent.BlockingQueue<ClassificationResult> arrived = new java.util.concurrent.LinkedBlockingQueue<>();
                Thread drain = new Thread(() -> {
                    try {
                        while (it.hasNext()) {
                            arrived.add(it.next());
                        }
                    } catch (RuntimeException e) {
                        // the job was cancelled at the end of the demo
                    }
                }, "demo-results");
                drain.setDaemon(true);
                drain.start();
                long lastResult = 0; // none yet
                long replayEnded = 0;
                long lastStatus = 0;
                while (true) {
                    ClassificationResult c = arrived.poll(20, java.util.concurrent.TimeUnit.MILLISECONDS);
                    long now = System.currentTimeMillis();
                    if (c != null) {
                        results.add(c);
                        lastResult = now;
                        if (!quiet) {
                            err.print("\r\033[K");
                            err.flush();
                            out.printf(Locale.ROOT, "%-12s t=%8.3fs  %-24s %5.1f%%   smoothed: %s%n", c.sensorId,
                                    c.windowEndUs / 1e6, c.topClassName, 100 * c.probabilities[c.topClass], c.smoothedClassName);
                            out.flush();
                        }
                    }
                    if (now - lastStatus > 200) {
                        lastStatus = now;
                        status(err, progress.get(), results.size());
                    }
                    Object outcome = replayOutcome.get();
                    if (outcome instanceof Exception e) {
                        client.cancel();
                        throw new IOException("replay failed: " + e.getMessage(), e);
                    }
                    if (outcome != null && replayEnded == 0) {
                        replayEnded = now;
                    }
                    // done when the replay finished and the last windows (closed by the quiet flush) are in;
                    // a job that starts slowly (a busy machine) gets two minutes for its first result
                    if (replayEnded > 0 && lastResult > 0 && now - Math.max(lastResult, replayEnded) > config.quietFlushMs() + 3_000) {
                        break;
                    }
                    if (replayEnded > 0 && lastResult == 0 && now - replayEnded > 120_000) {
                        client.cancel();
                        throw new IOException("the job produced no classification within 2 minutes of the replay's end");
                    }
                }
                client.cancel();
                err.print("\r\033[K");
                err.flush();
                summary(out, (ReplaySummary) replayOutcome.get(), results, setup, samples);
            }
        }
        return Main.OK;
    }

    private static void status(PrintWriter err, ReplayProgress p, int windows) {
        if (p == null) {
            err.print("\r\033[Kwaiting for the job ...");
        } else {
            err.printf(Locale.ROOT, "\r\033[K%,.0f events/s  %,d events  %d windows  replay lag %.1f ms  t=%.2fs",
                    p.eventsPerSecond(), p.events(), windows, p.lagMs(), p.eventTimeUs() / 1e6);
        }
        err.flush();
    }

    private static void summary(PrintWriter out, ReplaySummary replay, List<ClassificationResult> results, ModelSetup setup,
                                List<Evaluation.Sample> samples) {
        double[] lat = results.stream().mapToDouble(c -> c.latencyMs).sorted().toArray();
        out.println();
        out.println("summary");
        out.printf(Locale.ROOT, "  events      %,d (%s)%n", replay.events(), replay.describe());
        out.printf(Locale.ROOT, "  windows     %,d%n", results.size());
        if (lat.length > 0) {
            out.printf(Locale.ROOT, "  latency     p50 %.1f ms, p99 %.1f ms (window close to classification)%n",
                    lat[(int) Math.ceil(0.5 * lat.length) - 1], lat[(int) Math.ceil(0.99 * lat.length) - 1]);
        }
        if (!samples.isEmpty()) {
            Evaluation eval = new Evaluation(setup.classNames());
            results.sort(java.util.Comparator.comparingLong(c -> c.windowIndex));
            for (Evaluation.Sample s : samples) {
                eval.add(s, results);
            }
            out.printf(Locale.ROOT, "  accuracy    %.1f%% (%d of %d labelled gestures; decision = mean over each gesture's windows)%n",
                    100 * eval.accuracy(), eval.correct(), eval.samples());
        }
        out.flush();
    }

    /** Refuses a model without a training record, so that untrained weights are never shown as a classifier. */
    static void requireTrained(Path modelFile) throws IOException {
        ModelFile f = ModelFile.read(modelFile);
        if (!f.metadata().containsKey(TRAINING_KEY)) {
            throw new IOException(modelFile + " carries no training record (__metadata__[\"" + TRAINING_KEY
                    + "\"]); the demo only runs trained models");
        }
    }

    static Path bundled(String name, Path work, String what) throws IOException {
        Path p = bundledOptional(name, work);
        if (p == null) {
            throw new IOException(what + " (" + BUNDLE + name + ") is not in this build; train and bundle one "
                    + "(see the README), or pass your own with --model/--recording");
        }
        return p;
    }

    private static Path bundledOptional(String name, Path work) throws IOException {
        try (InputStream in = DemoCommand.class.getClassLoader().getResourceAsStream(BUNDLE + name)) {
            if (in == null) {
                return null;
            }
            Path p = work.resolve(name);
            Files.copy(in, p, StandardCopyOption.REPLACE_EXISTING);
            return p;
        }
    }

    private static void createTopic(LocalKafkaBroker kafka, String topic) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                kafka.createTopic(topic, 1);
                return;
            } catch (IllegalStateException e) {
                if (attempt > 20) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind is harmless
        }
    }
}
