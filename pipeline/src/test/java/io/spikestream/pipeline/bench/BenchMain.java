package io.spikestream.pipeline.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** Runs the pipeline module's JMH benchmarks with JMH's usual command-line options. */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        try {
            new Runner(new OptionsBuilder().parent(cli).build()).run();
        } catch (RunnerException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
