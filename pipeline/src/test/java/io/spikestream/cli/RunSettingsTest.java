package io.spikestream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code run}'s checkpoint, state-backend and parallelism settings: a flag given wins, an absent
 * flag leaves the cluster's key in force, and the documented default applies only where neither
 * gives a value.
 */
class RunSettingsTest {

    private static RunCommand parse(String... flags) {
        List<String> args = new ArrayList<>(List.of("run", "--bootstrap-servers", "localhost:9092", "--input-topic", "events",
                "--output-topic", "classifications", "--model", "m.safetensors"));
        args.addAll(List.of(flags));
        CommandLine.ParseResult parsed = Main.commandLine().parseArgs(args.toArray(String[]::new));
        return (RunCommand) parsed.subcommand().commandSpec().userObject();
    }

    private static Configuration cluster() {
        Configuration c = new Configuration();
        c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(10));
        c.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        c.set(PipelineOptions.MAX_PARALLELISM, 256);
        return c;
    }

    @Test
    void absentFlagsLeaveTheClustersKeysInForce() {
        Configuration settings = parse().settings(cluster());
        assertFalse(settings.contains(CheckpointingOptions.CHECKPOINTING_INTERVAL), "set: " + settings);
        assertFalse(settings.contains(StateBackendOptions.STATE_BACKEND), "set: " + settings);
        assertFalse(settings.contains(PipelineOptions.MAX_PARALLELISM), "set: " + settings);

        // and on a real environment carrying the cluster's configuration, the cluster's values are what the job gets
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(cluster());
        env.configure(settings);
        assertEquals(10_000, env.getCheckpointConfig().getCheckpointInterval());
        assertEquals(256, env.getMaxParallelism());
        assertEquals("rocksdb", env.getConfiguration().get(StateBackendOptions.STATE_BACKEND));
    }

    @Test
    void flagsGivenWinOverTheCluster() {
        Configuration settings = parse("--checkpoint-interval-ms", "1000", "--state-backend", "hashmap",
                "--max-parallelism", "64").settings(cluster());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(cluster());
        env.configure(settings);
        assertEquals(1_000, env.getCheckpointConfig().getCheckpointInterval());
        assertEquals(64, env.getMaxParallelism());
        assertEquals("hashmap", env.getConfiguration().get(StateBackendOptions.STATE_BACKEND));
    }

    @Test
    void withoutClusterKeysTheDocumentedDefaultsApply() {
        Configuration settings = parse().settings(new Configuration());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        env.configure(settings);
        assertEquals(5_000, env.getCheckpointConfig().getCheckpointInterval(), "exactly-once output needs checkpoints");
        assertEquals(128, env.getMaxParallelism());
        assertEquals("hashmap", env.getConfiguration().get(StateBackendOptions.STATE_BACKEND));
    }

    @Test
    void helpDocumentsEachDefaultAndItsClusterKey() {
        // picocli wraps lines, also after dots: compare without any whitespace
        String help = Cli.run("run", "--help").out().replaceAll("\\s+", "");
        assertTrue(help.contains("default:thecluster'sexecution.checkpointing.interval,else5000"), help);
        assertTrue(help.contains("default:thecluster'sstate.backend.type,elsehashmap"), help);
        assertTrue(help.contains("default:thecluster'spipeline.max-parallelism,else128"), help);
    }

    @Test
    void maxParallelismBelowTheParallelismIsAUsageError() {
        Cli.Run r = Cli.run("run", "--bootstrap-servers", "localhost:9092", "--input-topic", "events", "--output-topic", "out",
                "--model", "m.safetensors", "--parallelism", "8", "--max-parallelism", "4");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("exceeds --max-parallelism"), r.err());
    }
}
