package io.spikestream.connectors.bench;

import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/** Runs JMH benchmarks of the connectors module with JMH's usual command-line options (e.g. {@code Packet -f 1 -wi 2 -i 3}). */
public final class PacketBenchMain {
    private PacketBenchMain() {}

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
