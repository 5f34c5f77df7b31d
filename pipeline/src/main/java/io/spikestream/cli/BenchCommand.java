package io.spikestream.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code spikestream bench}: speed benchmarks, one subcommand per part of the system. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Speed benchmarks; each prints one JSON object.",
        subcommands = {BenchModelCommand.class, BenchPipelineCommand.class, BenchSoakCommand.class})
public final class BenchCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (try 'model', 'pipeline' or 'soak')");
    }
}
