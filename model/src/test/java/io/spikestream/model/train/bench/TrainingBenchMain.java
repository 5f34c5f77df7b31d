package io.spikestream.model.train.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;

/** Runs the training benchmarks with JMH's command-line options (e.g. {@code -f 1 -wi 2 -i 3 -p config=ms18}). */
public final class TrainingBenchMain {
    private TrainingBenchMain() {}

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        String[] withDefault = args.length == 0 ? new String[] {TrainingStepBenchmark.class.getName()} : args;
        new Runner(new CommandLineOptions(withDefault)).run();
    }
}
