package io.spikestream.cli;

import io.spikestream.connectors.kafka.KafkaClientSettings;
import io.spikestream.connectors.kafka.KafkaPreflight;
import io.spikestream.pipeline.job.JobConfig;
import io.spikestream.pipeline.job.ModelSetup;
import io.spikestream.pipeline.job.MsResNetWindowModel;
import io.spikestream.pipeline.job.SpikestreamJob;
import io.spikestream.pipeline.framing.FramingSpec;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikestream run}: the streaming job, Kafka in and out. Locally it starts an embedded
 * Flink; submitted with {@code flink run} (same main class) it runs on the cluster.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run the streaming classifier: EventPackets from Kafka -> framing -> MS-ResNet -> Classifications to Kafka (exactly once).",
            "Runs on an embedded Flink, or on a cluster when submitted with 'flink run'."})
public final class RunCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT", description = "Kafka brokers")
    String bootstrap;

    @Option(names = "--input-topic", required = true, paramLabel = "TOPIC", description = "topic of Avro EventPackets (key = sensor id)")
    String inputTopic;

    @Option(names = "--output-topic", required = true, paramLabel = "TOPIC", description = "topic for Avro Classifications")
    String outputTopic;

    @Option(names = "--dead-letter-topic", paramLabel = "TOPIC", description = "topic for Avro DeadLetters (default: <input-topic>.dead-letters)")
    String deadLetterTopic;

    @Option(names = "--group-id", defaultValue = "spikestream", description = "Kafka consumer group (default: ${DEFAULT-VALUE})")
    String groupId;

    @Option(names = "--parallelism", description = "operator parallelism (default: the cluster's, 1 locally)")
    Integer parallelism;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR|URI", description = "where checkpoints go: a folder or a URI such as file:///data/ck or s3://b/ck (default: Flink's)")
    String checkpointDir;

    /** Used when neither the flag nor the cluster's {@code execution.checkpointing.interval} gives one. */
    public static final long DEFAULT_CHECKPOINT_INTERVAL_MS = 5000;
    /** Used when neither the flag nor the cluster's {@code state.backend.type} gives one. */
    public static final String DEFAULT_STATE_BACKEND = "hashmap";
    /**
     * Used when neither the flag nor the cluster's {@code pipeline.max-parallelism} gives one: what Flink
     * itself chose for jobs of parallelism up to 85, so savepoints of earlier versions still restore.
     */
    public static final int DEFAULT_MAX_PARALLELISM = 128;

    // Flags with no default value: an absent flag leaves the cluster's configuration in force (see settings()).
    @Option(names = "--checkpoint-interval-ms", paramLabel = "MS",
            description = "checkpoint (and Kafka commit) interval (default: the cluster's execution.checkpointing.interval, else "
                    + DEFAULT_CHECKPOINT_INTERVAL_MS + ")")
    Long checkpointIntervalMs;

    @Option(names = "--state-backend", paramLabel = "hashmap|rocksdb",
            description = "keyed state backend (default: the cluster's state.backend.type, else " + DEFAULT_STATE_BACKEND + ")")
    String stateBackend;

    @Option(names = "--max-parallelism", paramLabel = "N",
            description = {"key groups of the keyed state: the most parallel subtasks the job, and any savepoint of it, can ever be"
                    + " rescaled to; fixed for the life of the state (default: the cluster's pipeline.max-parallelism, else "
                    + DEFAULT_MAX_PARALLELISM + ")"})
    Integer maxParallelism;

    @CommandLine.Mixin
    JobOptions job = new JobOptions();

    @CommandLine.Mixin
    KafkaOptions kafkaOptions = new KafkaOptions();

    @CommandLine.Mixin
    ViewOptions view = new ViewOptions();

    @Override
    public Integer call() throws Exception {
        if (stateBackend != null && !stateBackend.equals("hashmap") && !stateBackend.equals("rocksdb")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--state-backend must be hashmap or rocksdb, not " + stateBackend);
        }
        if (parallelism != null && parallelism < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--parallelism must be >= 1");
        }
        if (maxParallelism != null && (maxParallelism < 1 || maxParallelism > MAX_MAX_PARALLELISM)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-parallelism must lie in 1.." + MAX_MAX_PARALLELISM);
        }
        if (parallelism != null && maxParallelism != null && parallelism > maxParallelism) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--parallelism " + parallelism
                    + " exceeds --max-parallelism " + maxParallelism);
        }
        if (checkpointIntervalMs != null && checkpointIntervalMs < 10) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--checkpoint-interval-ms must be at least 10");
        }
        PrintWriter err = spec.commandLine().getErr();
        KafkaClientSettings kafka = kafkaOptions.settings();
        String deadLetters = deadLetterTopic != null ? deadLetterTopic : inputTopic + ".dead-letters";
        // a refused login or a missing ACL fails here in one line, not as a job that restarts forever
        var topics = new java.util.LinkedHashMap<String, KafkaPreflight.Access>();
        topics.put(inputTopic, KafkaPreflight.Access.READ);
        topics.put(outputTopic, KafkaPreflight.Access.WRITE);
        topics.put(deadLetters, KafkaPreflight.Access.WRITE);
        KafkaPreflight.check(bootstrap, kafka, topics);
        JobConfig config = job.config(err);
        // On a cluster (flink run, application mode) the environment carries the cluster's configuration;
        // only what the command line gives, or what neither gives, is set on top of it.
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        Configuration settings = settings(env.getConfiguration());
        env.configure(settings);
        if (parallelism != null) {
            env.setParallelism(parallelism);
        }
        String backend = settings.getOptional(StateBackendOptions.STATE_BACKEND)
                .orElse(env.getConfiguration().get(StateBackendOptions.STATE_BACKEND));

        var input = SpikestreamJob.kafkaInput(env, bootstrap, inputTopic, groupId,
                OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST), null, config, kafka);
        SpikestreamJob.Streams streams = SpikestreamJob.build(input, config, MsResNetWindowModel::load);
        String prefix = "spikestream-" + outputTopic;
        streams.classifications().sinkTo(SpikestreamJob.classificationSink(bootstrap, outputTopic,
                DeliveryGuarantee.EXACTLY_ONCE, prefix, kafka)).name("classifications").uid("classifications-sink");
        streams.deadLetters().sinkTo(SpikestreamJob.deadLetterSink(bootstrap, deadLetters,
                DeliveryGuarantee.EXACTLY_ONCE, prefix + "-dead", kafka)).name("dead-letters").uid("dead-letter-sink");
        view.attach(streams, env, ViewOptions.classNames(config.modelPath()), err, null);
        err.println("spikestream run: " + inputTopic + " -> " + outputTopic + " with " + config.modelPath()
                + " (" + config.framing().toJson() + "), parallelism " + env.getParallelism() + " (max " + env.getMaxParallelism()
                + "), " + backend + " state, checkpoints every "
                + env.getConfiguration().get(CheckpointingOptions.CHECKPOINTING_INTERVAL).toMillis() + " ms"
                + (kafka.isEmpty() ? "" : ", Kafka client settings: " + kafka.redacted()));
        err.flush();
        env.execute("spikestream " + inputTopic + " -> " + outputTopic);
        return Main.OK;
    }

    /** Flink's upper bound for the maximum parallelism (key groups). */
    static final int MAX_MAX_PARALLELISM = 1 << 15;

    /**
     * The configuration this command adds to {@code cluster} (the environment's configuration: the
     * cluster's on {@code flink run}, empty on the embedded Flink). A flag given wins; an absent flag
     * sets nothing where the cluster has the key, and the documented default where it has not.
     */
    public Configuration settings(ReadableConfig cluster) {
        Configuration conf = new Configuration();
        if (stateBackend != null) {
            conf.set(StateBackendOptions.STATE_BACKEND, stateBackend);
        } else if (cluster.getOptional(StateBackendOptions.STATE_BACKEND).isEmpty()) {
            conf.set(StateBackendOptions.STATE_BACKEND, DEFAULT_STATE_BACKEND);
        }
        if (checkpointIntervalMs != null) {
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(checkpointIntervalMs));
        } else if (cluster.getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL).isEmpty()) {
            // exactly-once output is committed at checkpoints: without any interval nothing would ever be read
            conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(DEFAULT_CHECKPOINT_INTERVAL_MS));
        }
        if (checkpointDir != null) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.contains("://")
                    ? checkpointDir : Path.of(checkpointDir).toAbsolutePath().toUri().toString());
        }
        if (maxParallelism != null) {
            conf.set(PipelineOptions.MAX_PARALLELISM, maxParallelism);
        } else if (cluster.getOptional(PipelineOptions.MAX_PARALLELISM).isEmpty()) {
            conf.set(PipelineOptions.MAX_PARALLELISM, DEFAULT_MAX_PARALLELISM);
        }
        return conf;
    }

    /** Model and job tuning options shared by run, classify, demo and bench pipeline. */
    public static final class JobOptions {
        @Option(names = "--model", paramLabel = "FILE", description = "MS-ResNet model file (.safetensors with card and framing in its metadata)")
        Path model;

        @Option(names = "--dt-us", paramLabel = "US", description = "override the model's bin length (warns: the model was trained on its own framing)")
        Long dtUs;

        @Option(names = "--bins", paramLabel = "K", description = "override the model's bins per window (warns)")
        Integer bins;

        @Option(names = "--hop-bins", paramLabel = "H", description = "override the window hop in bins (warns)")
        Integer hopBins;

        @Option(names = "--clip", arity = "1", paramLabel = "true|false", description = "override clipping of counts to 1 (warns)")
        Boolean clip;

        @Option(names = "--denoise-us", paramLabel = "US", description = "override the denoise window, 0 = off (warns)")
        Long denoiseUs;

        @Option(names = "--out-of-order-us", defaultValue = "50000", description = "allowed event disorder per sensor (default: ${DEFAULT-VALUE})")
        long outOfOrderUs;

        @Option(names = "--batch-size", defaultValue = "8", description = "windows of different sensors per forward pass (default: ${DEFAULT-VALUE})")
        int batchSize;

        @Option(names = "--max-wait-ms", defaultValue = "20", description = "longest a window waits for its batch (default: ${DEFAULT-VALUE})")
        long maxWaitMs;

        @Option(names = "--smoothing", defaultValue = "5", description = "windows averaged for the smoothed decision (default: ${DEFAULT-VALUE})")
        int smoothing;

        @Option(names = "--state-reset-gap-us", defaultValue = "1000000", description = "a sensor silent this long starts from a fresh membrane state (default: ${DEFAULT-VALUE})")
        long stateResetGapUs;

        @Option(names = "--quiet-flush-ms", defaultValue = "2000", description = "wall-clock silence after which a sensor's pending windows close (default: ${DEFAULT-VALUE})")
        long quietFlushMs;

        @Option(names = "--sensor-state-ttl", defaultValue = "1h", paramLabel = "DURATION",
                converter = DurationConverter.class,
                description = "a sensor silent this long (wall clock) loses its framing and membrane state, e.g. 90s, 30m, 1h, 2d (default: ${DEFAULT-VALUE})")
        Duration sensorStateTtl;

        /** The job configuration for the model (required) with the overrides applied. */
        public JobConfig config(PrintWriter err) throws java.io.IOException {
            if (model == null) {
                throw new IllegalArgumentException("--model is required");
            }
            return config(ModelSetup.read(model), err);
        }

        public JobConfig config(ModelSetup setup, PrintWriter err) {
            setup.noteUnnamedClasses(err);
            FramingSpec framing = setup.framing(dtUs, bins, hopBins, clip, denoiseUs, err);
            return JobConfig.defaults(framing, setup.model().toAbsolutePath().toString())
                    .withOutOfOrderness(outOfOrderUs)
                    .withBatching(batchSize, maxWaitMs)
                    .withSmoothing(smoothing)
                    .withStateResetGap(stateResetGapUs)
                    .withQuietFlush(quietFlushMs)
                    .withSensorStateTtl(sensorStateTtl.toMillis());
        }
    }

    /** Durations as {@code 500ms}, {@code 90s}, {@code 30m}, {@code 1h}, {@code 2d} or ISO-8601 ({@code PT1H}). */
    public static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim().toLowerCase(java.util.Locale.ROOT);
            try {
                if (v.startsWith("pt") || v.startsWith("p")) {
                    return positive(Duration.parse(value.trim().toUpperCase(java.util.Locale.ROOT)), value);
                }
                int unit = 0;
                while (unit < v.length() && (Character.isDigit(v.charAt(unit)) || v.charAt(unit) == '.')) {
                    unit++;
                }
                double n = Double.parseDouble(v.substring(0, unit));
                double ms = switch (v.substring(unit)) {
                    case "ms" -> n;
                    case "s", "" -> n * 1e3;
                    case "m", "min" -> n * 60e3;
                    case "h" -> n * 3600e3;
                    case "d" -> n * 86400e3;
                    default -> throw new CommandLine.TypeConversionException("'" + value + "': unit must be ms, s, m, h or d");
                };
                return positive(Duration.ofMillis(Math.round(ms)), value);
            } catch (NumberFormatException | java.time.format.DateTimeParseException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 90s, 30m, 1h)");
            }
        }

        private static Duration positive(Duration d, String value) {
            if (d.isNegative() || d.isZero()) {
                throw new CommandLine.TypeConversionException("'" + value + "' must be positive");
            }
            return d;
        }
    }
}
