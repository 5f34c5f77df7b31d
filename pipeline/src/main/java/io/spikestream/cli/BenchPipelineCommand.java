package io.spikestream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.KafkaClientSettings;
import io.spikestream.connectors.kafka.LocalKafkaBroker;
import io.spikestream.model.ModelCard;
import io.spikestream.model.ModelFile;
import io.spikestream.model.ModelWeights;
import io.spikestream.model.safetensors.DType;
import io.spikestream.pipeline.bench.PipelineBench;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.job.JobConfig;
import io.spikestream.pipeline.job.ModelSetup;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikestream bench pipeline}: end-to-end speed of the job through Kafka. Fills a topic
 * with synthetic DVS128 streams, drains it with the model off (Kafka → framing → sink) and on
 * (→ MS-ResNet), measures the ceilings (plain Kafka consumers with the job's deserializer; the
 * Framer alone) and the model-off job on RocksDB, derives how many real-time sensors the job keeps up with, then runs that many
 * at real-time pace for the latency from window close to classification. Prints one JSON object.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = {"Benchmark the streaming job end to end through Kafka (embedded broker unless --bootstrap-servers) and print one JSON object.",
            "Without --model or --card only the model-off throughput is measured. --card uses random weights (speed only)."})
public final class BenchPipelineCommand implements Callable<Integer> {
    /** The RocksDB run checkpoints, so that its state is really written (the hashmap run is the job as before: none). */
    static final long ROCKSDB_CHECKPOINT_MS = 1_000;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "use this Kafka instead of an embedded broker")
    String bootstrap;

    @CommandLine.Mixin
    KafkaOptions kafkaOptions = new KafkaOptions();

    @Option(names = "--model", paramLabel = "FILE", description = "model file (framing from its metadata)")
    Path model;

    @Option(names = "--card", paramLabel = "C.json", description = "model card to run with random weights (speed only), framing from --dt-us/--bins/--size")
    Path card;

    @Option(names = "--dt-us", defaultValue = "10000", description = "bin length without a model file (default: ${DEFAULT-VALUE})")
    long dtUs;

    @Option(names = "--bins", defaultValue = "10", description = "bins per window without a model file (default: ${DEFAULT-VALUE})")
    int bins;

    @Option(names = "--size", defaultValue = "32", description = "input height and width without a model file (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--sensors", defaultValue = "4", description = "sensors in the throughput runs (default: ${DEFAULT-VALUE})")
    int sensors;

    @Option(names = "--seconds", defaultValue = "2", description = "seconds of events per sensor (default: ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--rate", defaultValue = "1000000", description = "events/s per sensor (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--packet-us", defaultValue = "1000", description = "µs of events per Kafka packet (default: ${DEFAULT-VALUE})")
    long packetUs;

    @Option(names = "--parallelism", defaultValue = "2", description = "job parallelism (default: ${DEFAULT-VALUE})")
    int parallelism;

    @Option(names = "--batch-size", defaultValue = "8", description = "classifier batch size (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--max-wait-ms", defaultValue = "20", description = "classifier batch wait (default: ${DEFAULT-VALUE})")
    long maxWaitMs;

    @Option(names = "--latency-sensors", description = "sensors in the real-time latency run (default: what the job keeps up with, at least 1)")
    Integer latencySensors;

    @Option(names = "--latency-seconds", defaultValue = "10", description = "length of the real-time latency run (default: ${DEFAULT-VALUE})")
    double latencySeconds;

    @Option(names = "--skip-latency", description = "skip the real-time latency run")
    boolean skipLatency;

    @Override
    public Integer call() throws Exception {
        if (sensors < 1 || seconds <= 0 || rate <= 0 || packetUs <= 0 || parallelism < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sensors, --seconds, --rate, --packet-us and --parallelism must be positive");
        }
        if (model != null && card != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --model or --card, not both");
        }
        PrintWriter err = spec.commandLine().getErr();
        SensorGeometry dvs128 = new SensorGeometry(128, 128);
        Path modelFile = model;
        String weights = model != null ? "file" : card != null ? "random" : "none";
        Path temp = null;
        FramingSpec framing;
        if (model != null) {
            framing = ModelSetup.read(model).framing();
        } else {
            framing = FramingSpec.tumbling(dtUs, bins, size, size, dvs128);
            if (card != null) {
                temp = Files.createTempFile("spikestream-bench-", ".safetensors");
                ModelCard c = ModelCard.read(card);
                ModelFile.write(temp, c, ModelWeights.random(c, 1), Map.of(FramingSpec.METADATA_KEY, framing.toJson()), DType.F32);
                modelFile = temp;
            }
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        out.put("sensors", sensors);
        out.put("seconds_per_sensor", seconds);
        out.put("events_per_second_per_sensor", rate);
        out.put("packet_us", packetUs);
        out.put("parallelism", parallelism);
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("framing", framing.toJson());
        out.put("weights", weights);
        KafkaClientSettings kafka = kafkaOptions.settings();
        LocalKafkaBroker broker = null;
        try {
            if (bootstrap == null) {
                broker = LocalKafkaBroker.start();
            }
            String servers = bootstrap != null ? bootstrap : broker.bootstrapServers();
            String topic = "bench-events-" + System.currentTimeMillis();
            createTopic(broker, servers, kafka, topic, parallelism);
            long t0 = System.nanoTime();
            long events = PipelineBench.fill(servers, kafka, topic, dvs128, sensors, rate, seconds, packetUs);
            double fillSeconds = (System.nanoTime() - t0) / 1e9;
            out.put("events", events);
            out.put("fill_events_per_second", events / fillSeconds);
            err.println("bench pipeline: " + events + " events in topic " + topic + "; model off ...");
            err.flush();

            JobConfig off = JobConfig.defaults(framing, null);
            // a first, unreported drain compiles the job's code paths: a running job is past that point, and
            // without it the first measured run paid the JIT's work while the later ones did not
            PipelineBench.drain(servers, kafka, topic, off, parallelism, events);
            PipelineBench.Drain a = PipelineBench.drain(servers, kafka, topic, off, parallelism, events);
            ObjectNode n = out.putObject("model_off");
            n.put("warmup_runs", 1);
            n.put("seconds", a.seconds());
            n.put("events_per_second", a.eventsPerSecond());
            n.put("windows", a.windows());
            n.put("cpu_seconds", a.cpuSeconds());
            n.put("events_per_cpu_second", a.eventsPerCpuSecond());

            err.println("bench pipeline: kafka drain (plain consumers, no Flink) ...");
            err.flush();
            PipelineBench.Plain k = PipelineBench.kafkaDrain(servers, kafka, topic, parallelism, events);
            ObjectNode kd = out.putObject("kafka_drain");
            kd.put("consumers", parallelism);
            kd.put("seconds", k.seconds());
            kd.put("events_per_second", k.eventsPerSecond());
            kd.put("cpu_seconds", k.cpuSeconds());
            kd.put("events_per_cpu_second", k.eventsPerCpuSecond());
            n.put("fraction_of_kafka_drain", a.eventsPerSecond() / k.eventsPerSecond());

            PipelineBench.Plain f = PipelineBench.framerOnly(framing, dvs128, sensors, rate, seconds, packetUs,
                    off.outOfOrdernessUs());
            ObjectNode fo = out.putObject("framer_only");
            fo.put("threads", 1);
            fo.put("seconds", f.seconds());
            fo.put("events_per_second", f.eventsPerSecond());

            err.println("bench pipeline: model off on RocksDB ...");
            err.flush();
            PipelineBench.Drain r = PipelineBench.drain(servers, kafka, topic, off, parallelism, events, "rocksdb", ROCKSDB_CHECKPOINT_MS);
            ObjectNode ro = out.putObject("model_off_rocksdb");
            ro.put("checkpoint_interval_ms", ROCKSDB_CHECKPOINT_MS);
            ro.put("seconds", r.seconds());
            ro.put("events_per_second", r.eventsPerSecond());
            ro.put("windows", r.windows());
            ro.put("cpu_seconds", r.cpuSeconds());
            ro.put("events_per_cpu_second", r.eventsPerCpuSecond());

            if (modelFile != null) {
                err.println("bench pipeline: model on ...");
                err.flush();
                JobConfig on = JobConfig.defaults(framing, modelFile.toAbsolutePath().toString()).withBatching(batchSize, maxWaitMs);
                PipelineBench.Drain b = PipelineBench.drain(servers, kafka, topic, on, parallelism, events);
                ObjectNode m = out.putObject("model_on");
                m.put("seconds", b.seconds());
                m.put("events_per_second", b.eventsPerSecond());
                m.put("windows", b.windows());
                m.put("windows_per_second", b.windowsPerSecond());
                m.put("cpu_seconds", b.cpuSeconds());
                m.put("events_per_cpu_second", b.eventsPerCpuSecond());
                double realTime = sensors * seconds / b.seconds();
                m.put("real_time_sensors_at_rate", realTime);
                m.put("batch_size", batchSize);
                if (!skipLatency) {
                    int n2 = latencySensors != null ? latencySensors : Math.max(1, (int) Math.floor(realTime));
                    err.println("bench pipeline: " + n2 + " sensor(s) at real-time pace for " + latencySeconds + " s ...");
                    err.flush();
                    String paced = topic + "-paced";
                    createTopic(broker, servers, kafka, paced, parallelism);
                    PipelineBench.Paced p = PipelineBench.paced(servers, kafka, paced, on, parallelism, dvs128, n2, rate,
                            latencySeconds, packetUs);
                    ObjectNode l = out.putObject("real_time");
                    l.put("sensors", p.sensors());
                    l.put("windows_expected", p.windowsExpected());
                    l.put("windows_received", p.windowsReceived());
                    l.put("latency_p50_ms", p.p50Ms());
                    l.put("latency_p99_ms", p.p99Ms());
                    l.put("latency_max_ms", p.maxMs());
                }
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
            if (temp != null) {
                Files.deleteIfExists(temp);
            }
        }
        spec.commandLine().getOut().println(json.writerWithDefaultPrettyPrinter().writeValueAsString(out));
        spec.commandLine().getOut().flush();
        return Main.OK;
    }

    private static void createTopic(LocalKafkaBroker broker, String servers, KafkaClientSettings kafka, String topic,
                                    int partitions) throws Exception {
        if (broker != null) {
            for (int attempt = 0; ; attempt++) {
                try {
                    broker.createTopic(topic, partitions);
                    return;
                } catch (IllegalStateException e) {
                    if (attempt > 20) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
        }
        // the cluster's default replication factor: a managed cluster refuses 1
        try (var admin = org.apache.kafka.clients.admin.Admin.create(kafka.forClient(servers))) {
            admin.createTopics(java.util.List.of(new org.apache.kafka.clients.admin.NewTopic(topic,
                    java.util.Optional.of(partitions), java.util.Optional.empty()))).all().get(2, java.util.concurrent.TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
            String auth = kafka.describeFailure(e, servers);
            throw new java.io.IOException(auth != null ? auth : "cannot create topic " + topic + " at " + servers + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
    }
}
