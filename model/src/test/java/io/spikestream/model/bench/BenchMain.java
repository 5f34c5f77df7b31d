package io.spikestream.model.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.CommandLineOptionException;

/** Runs the model benchmarks with JMH's usual command-line options (e.g. {@code -f 1 -wi 2 -i 3 -p size=128}). */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws RunnerException, CommandLineOptionException {
        String[] withDefault = args.length == 0 ? new String[] {"io.spikestream.model.bench"} : args;
        new Runner(new CommandLineOptions(withDefault)).run();
    }
}
