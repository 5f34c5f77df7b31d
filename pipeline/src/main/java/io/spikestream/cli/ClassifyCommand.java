package io.spikestream.cli;

import io.spikestream.connectors.recording.Recordings;
import io.spikestream.connectors.recording.Truncation;
import io.spikestream.connectors.recording.gesture.GestureDataset;
import io.spikestream.connectors.recording.gesture.GestureLabel;
import io.spikestream.connectors.recording.gesture.GestureLabels;
import io.spikestream.connectors.recording.gesture.GestureRecording;
import io.spikestream.connectors.recording.gesture.Warnings;
import io.spikestream.pipeline.job.ClassificationJson;
import io.spikestream.pipeline.job.ClassificationResult;
import io.spikestream.pipeline.job.Evaluation;
import io.spikestream.pipeline.job.JobConfig;
import io.spikestream.pipeline.job.ModelSetup;
import io.spikestream.pipeline.job.MsResNetWindowModel;
import io.spikestream.pipeline.job.SpikestreamJob;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code spikestream classify}: the streaming job on a bounded recording source (one file or a
 * folder), for offline evaluation with exactly the serving path's framing and classifier.
 */
@Command(name = "classify", mixinStandardHelpOptions = true,
        description = {"Classify recordings with the streaming job on a bounded source (same framing and classifier as 'run').",
            "A folder in the DVS128 Gesture layout (userNN_<lighting>.aedat + _labels.csv) is scored against its labels:",
            "per-sample accuracy (decision = mean probability over the sample's windows) and a confusion matrix."})
public final class ClassifyCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE|DIR", description = "a recording, or a folder of recordings")
    Path input;

    @Option(names = "--labels", paramLabel = "CSV", description = "labels of a single recording (class,startTime_usec,endTime_usec); a Gesture folder brings its own")
    Path labels;

    @Option(names = "--out", paramLabel = "FILE", description = "write every classification as JSON lines")
    Path out;

    @Option(names = "--parallelism", defaultValue = "1", description = "operator parallelism (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Option(names = "--strict", description = Truncation.STRICT_HELP)
    boolean strict;

    @CommandLine.Mixin
    RunCommand.JobOptions job = new RunCommand.JobOptions();

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter stdout = spec.commandLine().getOut();
        if (!Files.exists(input)) {
            throw new IOException(input + " does not exist");
        }
        ModelSetup setup = ModelSetup.read(requireModel());
        JobConfig config = job.config(setup, err);

        Map<String, Path> recordings = new LinkedHashMap<>();
        List<Evaluation.Sample> samples = new ArrayList<>();
        collect(recordings, samples, err);
        if (recordings.isEmpty()) {
            throw new IOException(input + ": no recordings found");
        }
        for (Path recording : recordings.values()) {
            Recordings.check(recording, strict, err); // the job reads them leniently
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        SpikestreamJob.Streams streams = SpikestreamJob.build(SpikestreamJob.recordingInput(env, recordings), config,
                MsResNetWindowModel::load);
        Map<String, List<ClassificationResult>> bySensor = new LinkedHashMap<>();
        long windows = 0;
        try (CloseableIterator<ClassificationResult> it = streams.classifications().executeAndCollect("spikestream classify");
             BufferedWriter jsonl = out == null ? null : Files.newBufferedWriter(out)) {
            while (it.hasNext()) {
                ClassificationResult c = it.next();
                windows++;
                bySensor.computeIfAbsent(c.sensorId, k -> new ArrayList<>()).add(c);
                if (jsonl != null) {
                    jsonl.write(ClassificationJson.line(c));
                    jsonl.newLine();
                }
            }
        }
        bySensor.values().forEach(l -> l.sort(Comparator.comparingLong(c -> c.windowIndex)));
        stdout.printf(Locale.ROOT, "%d recording(s), %d window(s) classified with %s%s%n", recordings.size(), windows,
                setup.modelId(), out == null ? "" : ", written to " + out);
        if (samples.isEmpty()) {
            for (Map.Entry<String, List<ClassificationResult>> e : bySensor.entrySet()) {
                Map<String, Integer> votes = new LinkedHashMap<>();
                e.getValue().forEach(c -> votes.merge(c.topClassName, 1, Integer::sum));
                stdout.println(e.getKey() + ": " + e.getValue().size() + " windows, top classes " + votes);
            }
        } else {
            Evaluation eval = new Evaluation(setup.classNames());
            for (Evaluation.Sample s : samples) {
                eval.add(s, bySensor.getOrDefault(s.sensorId(), List.of()));
            }
            stdout.printf(Locale.ROOT, "per-sample accuracy: %.4f (%d of %d samples%s)%n", eval.accuracy(), eval.correct(),
                    eval.samples(), eval.unclassified() > 0 ? ", " + eval.unclassified() + " without any window" : "");
            stdout.print(eval.confusionTable());
        }
        stdout.flush();
        return Main.OK;
    }

    private Path requireModel() {
        if (job.model == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--model is required");
        }
        return job.model;
    }

    private void collect(Map<String, Path> recordings, List<Evaluation.Sample> samples, PrintWriter err) throws IOException {
        Warnings warnings = (file, line, problem) -> {
            err.println("warning: " + file + ":" + line + ": " + problem);
            err.flush();
        };
        if (Files.isRegularFile(input)) {
            String sensor = baseName(input);
            recordings.put(sensor, input);
            if (labels != null) {
                for (GestureLabel l : GestureLabels.read(labels, warnings)) {
                    samples.add(new Evaluation.Sample(sensor, l.classIndex(), l.startUs(), l.endUs()));
                }
            }
            return;
        }
        if (labels != null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--labels is for a single recording; a Gesture folder has a label file per recording");
        }
        List<GestureRecording> gesture = new GestureDataset(input, warnings).recordings();
        if (!gesture.isEmpty()) {
            for (GestureRecording r : gesture) {
                recordings.put(r.baseName(), r.aedat());
                for (GestureLabel l : GestureLabels.read(r.labels(), warnings)) {
                    samples.add(new Evaluation.Sample(r.baseName(), l.classIndex(), l.startUs(), l.endUs()));
                }
            }
            return;
        }
        try (Stream<Path> files = Files.list(input)) {
            for (Path p : files.sorted().toList()) {
                if (Files.isRegularFile(p) && Recordings.formatForExtension(p).isPresent()) {
                    recordings.put(baseName(p), p);
                }
            }
        }
    }

    private static String baseName(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
