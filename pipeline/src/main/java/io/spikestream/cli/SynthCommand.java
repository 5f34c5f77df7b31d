package io.spikestream.cli;

import io.spikestream.connectors.synth.Gesture;
import io.spikestream.connectors.synth.GestureSimulator;
import io.spikestream.connectors.synth.Lighting;
import io.spikestream.connectors.synth.SyntheticGestureDataset;
import io.spikestream.connectors.synth.WrittenRecording;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikestream synth}: writes a synthetic DVS128 Gesture-like dataset, one
 * {@code userNN_<lighting>.aedat} with its {@code _labels.csv} per user and lighting, in
 * parallel (recordings are independent and each is deterministic for seed, user and lighting).
 */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {"Simulate DVS128 Gesture-like recordings (11 classes, 128x128, AEDAT 3.1 + _labels.csv):",
                "one recording per user and lighting, every gesture performed --repetitions times."})
public final class SynthCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "output folder (created if missing)")
    Path out;

    @Option(names = "--users", required = true, paramLabel = "RANGES", converter = IdRanges.Users.class,
            description = "users to simulate, ranges and lists of 1..29 (1-23 train, 24-29 test), e.g. 1-29 or 1-3,7")
    IdRanges.IdList users;

    @Option(names = "--classes", paramLabel = "RANGES", converter = IdRanges.Classes.class,
            description = "gesture classes to perform, ranges and lists of 1..11 (default: all eleven)")
    IdRanges.IdList classes;

    @Option(names = "--lightings", split = ",", paramLabel = "NAME",
            description = "lightings (default: all of fluorescent, fluorescent_led, lab, led, natural)")
    List<String> lightings;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "dataset seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--repetitions", defaultValue = "1", paramLabel = "N", description = "takes of each gesture per recording, 1..20 (default: ${DEFAULT-VALUE})")
    int repetitions;

    @Option(names = "--threads", paramLabel = "N", description = "recordings simulated at once (default: the number of cores)")
    Integer threads;

    @Override
    public Integer call() throws Exception {
        List<Lighting> chosen = parseLightings();
        if (repetitions < 1 || repetitions > 20) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--repetitions must be in 1..20, not " + repetitions);
        }
        int workers = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (workers < 1 || workers > 256) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be in 1..256, not " + workers);
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IOException(out + " exists and is not a folder");
        }
        Files.createDirectories(out);

        Set<Gesture> gestures = EnumSet.allOf(Gesture.class);
        if (classes != null) {
            gestures.clear();
            classes.ids().forEach(c -> gestures.add(Gesture.ofClassId(c)));
        }
        SyntheticGestureDataset dataset = new SyntheticGestureDataset(new GestureSimulator(seed), repetitions, gestures);
        PrintWriter err = spec.commandLine().getErr();
        int total = users.ids().size() * chosen.size();
        long started = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(workers, total), r -> {
            Thread t = new Thread(r, "synth");
            t.setDaemon(true);
            return t;
        });
        List<Future<WrittenRecording>> jobs = new ArrayList<>();
        try {
            for (int user : users.ids()) {
                for (Lighting lighting : chosen) {
                    jobs.add(pool.submit(() -> dataset.write(out, user, lighting)));
                }
            }
            long samples = 0;
            long events = 0;
            long bytes = 0;
            long recordedUs = 0;
            for (int k = 0; k < jobs.size(); k++) {
                WrittenRecording w;
                try {
                    w = jobs.get(k).get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
                samples += w.samples();
                events += w.eventCount();
                bytes += w.bytes();
                recordedUs += w.simulatedUs();
                err.printf(Locale.ROOT, "synth: [%d/%d] %s: %d samples, %,d events, %.1f s recorded (%.0f s elapsed)%n",
                        k + 1, total, w.recording().aedat().getFileName(), w.samples(), w.eventCount(), w.simulatedUs() * 1e-6,
                        (System.nanoTime() - started) * 1e-9);
                err.flush();
            }
            PrintWriter o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "wrote %d recordings (%d files) to %s: %d samples, %,d events, %.1f MB, %.0f s of recording, in %.1f s%n",
                    total, 2 * total, out, samples, events, bytes / 1e6, recordedUs * 1e-6, (System.nanoTime() - started) * 1e-9);
            o.flush();
            return Main.OK;
        } finally {
            pool.shutdownNow();
        }
    }

    private List<Lighting> parseLightings() {
        if (lightings == null || lightings.isEmpty()) {
            return Lighting.STANDARD;
        }
        List<Lighting> chosen = new ArrayList<>();
        for (String name : lightings) {
            try {
                Lighting l = Lighting.named(name.strip());
                if (!chosen.contains(l)) {
                    chosen.add(l);
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--lightings: " + e.getMessage());
            }
        }
        return chosen;
    }
}
