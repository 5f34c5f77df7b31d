package io.spikestream.connectors.bench;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the recording-decoder benchmarks with JMH's usual options (e.g. {@code Decode -f 1 -wi 2 -i 3})
 * and prints, next to JMH's wall-clock rates, the events decoded per CPU second of the benchmark
 * thread (from {@link DecodeBenchmark.CpuTime}).
 */
public final class DecodeBenchMain {
    private DecodeBenchMain() {}

    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args.length == 0 ? new String[] {"DecodeBenchmark"} : args);
        try {
            Collection<RunResult> results = new Runner(new OptionsBuilder().parent(cli).build()).run();
            for (RunResult r : results) {
                Map<String, Result> aux = r.getAggregatedResult().getSecondaryResults();
                Result cpu = aux.get("cpuMicros");
                Result decoded = aux.get("decoded");
                if (cpu != null && decoded != null && cpu.getScore() > 0) {
                    System.out.printf(Locale.ROOT, "%-40s %8.1f M events per CPU second of the benchmark thread%n",
                            r.getParams().getBenchmark(), decoded.getScore() / cpu.getScore());
                }
            }
        } catch (RunnerException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
