package io.spikestream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.spikestream.cli.DemoCommand;
import io.spikestream.cli.Main;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.FallbackKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The compose and Kubernetes files cannot be started here (no Docker, no cluster), so this checks
 * what can be checked: they parse, and every image, class, argument, port, path and Flink
 * configuration key they name exists in this build.
 */
class DeploymentFilesTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path DEPLOY = ROOT.resolve("deploy");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static Set<String> flinkKeys;

    @BeforeAll
    static void collectFlinkConfigurationKeys() throws Exception {
        flinkKeys = new HashSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.endsWith(".jar") || !new File(entry).getName().startsWith("flink-")) {
                continue;
            }
            try (JarFile jar = new JarFile(entry)) {
                Enumeration<JarEntry> entries = jar.entries();
                while (entries.hasMoreElements()) {
                    String name = entries.nextElement().getName();
                    if (name.startsWith("org/apache/flink/") && name.endsWith("Options.class") && !name.contains("$")) {
                        collectKeys(name.substring(0, name.length() - 6).replace('/', '.'));
                    }
                }
            }
        }
        assertTrue(flinkKeys.contains("state.backend.type"), "Flink's option classes were not found on the classpath");
    }

    private static void collectKeys(String className) {
        try {
            Class<?> c = Class.forName(className, false, DeploymentFilesTest.class.getClassLoader());
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                    ConfigOption<?> option = (ConfigOption<?>) f.get(null);
                    flinkKeys.add(option.key());
                    for (FallbackKey k : option.fallbackKeys()) {
                        flinkKeys.add(k.getKey());
                    }
                }
            }
        } catch (ReflectiveOperationException | LinkageError e) {
            // an options class whose dependencies are not on this classpath holds no key we use
        }
    }

    private static List<JsonNode> yamlDocuments(Path file) throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(file.toFile())) {
            Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && !doc.isMissingNode() && !doc.isNull()) {
                    docs.add(doc);
                }
            }
        }
        assertFalse(docs.isEmpty(), file + " holds no YAML document");
        return docs;
    }

    private static String pomProperty(String name) throws IOException {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find(), "pom.xml has no property " + name);
        return m.group(1);
    }

    private static String projectVersion() throws IOException {
        Matcher m = Pattern.compile("<artifactId>spikestream-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertTrue(m.find());
        return m.group(1).replace("-SNAPSHOT", "");
    }

    private static void assertFlinkKeys(Map<String, String> config, String where) {
        List<String> unknown = config.keySet().stream().filter(k -> !flinkKeys.contains(k)).toList();
        assertTrue(unknown.isEmpty(), where + " uses configuration keys Flink 2.2 does not know: " + unknown);
    }

    private static Map<String, String> flatYaml(String yaml, String where) throws IOException {
        JsonNode node = YAML.readTree(yaml);
        assertNotNull(node, where + " is empty");
        Map<String, String> out = new java.util.LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** Checks that the arguments after the subcommand are options of that spikestream command. */
    private static void assertSpikestreamArguments(List<String> args, String where) {
        CommandLine cl = new CommandLine(new Main());
        assertFalse(args.isEmpty(), where + ": no arguments");
        CommandLine sub = cl.getSubcommands().get(args.get(0));
        assertNotNull(sub, where + ": spikestream has no command '" + args.get(0) + "'");
        for (String a : args.subList(1, args.size())) {
            if (a.startsWith("--")) {
                assertNotNull(sub.getCommandSpec().findOption(a), where + ": 'spikestream " + args.get(0) + "' has no option " + a);
            }
        }
        // parse from the root, as Main does: required options, values and types are checked too
        CommandLine.ParseResult parsed = cl.parseArgs(args.toArray(String[]::new));
        assertTrue(parsed.hasSubcommand(), where + ": arguments name no command");
        assertEquals(args.get(0), parsed.subcommand().commandSpec().name());
    }

    /**
     * The images ship the bundled model (prepare.sh copies it next to the job jar): the file name must
     * be the one the demo loads, and once the bundle is in the tree, that file must be in it.
     */
    private static void assertModelPathIsBundled(List<String> args, String where) throws IOException {
        int i = args.indexOf("--model");
        assertTrue(i >= 0 && i + 1 < args.size(), where + ": no --model");
        Path model = Path.of(args.get(i + 1));
        assertEquals(Path.of("/opt/spikestream/model"), model.getParent(), where + ": the image keeps the model in /opt/spikestream/model");
        String file = model.getFileName().toString();
        assertEquals(DemoCommand.BUNDLED_MODEL, file, where + " names a model other than the bundled one");
        Path bundle = ROOT.resolve("pipeline/src/main/resources").resolve(DemoCommand.BUNDLE);
        if (Files.isDirectory(bundle)) {
            assertTrue(Files.isRegularFile(bundle.resolve(file)), where + " names model " + file + ", which is not in " + bundle);
        }
        assertTrue(Files.readString(DEPLOY.resolve("compose/prepare.sh")).contains("resources/" + DemoCommand.BUNDLE),
                "prepare.sh must copy the bundled model into the image");
    }

    /**
     * A service's environment with a YAML merge key ({@code <<: *anchor}) resolved, as Compose does.
     * Jackson reports an alias by its anchor's name; the file keeps each anchor on the top-level
     * extension field {@code x-<anchor>}.
     */
    private static JsonNode environment(JsonNode compose, JsonNode service) {
        JsonNode env = service.get("environment");
        assertNotNull(env, "a service without environment");
        JsonNode merged = env.get("<<");
        if (merged == null) {
            return env;
        }
        if (merged.isTextual()) {
            String anchor = merged.asText();
            merged = compose.get("x-" + anchor);
            assertNotNull(merged, "the merge key names anchor " + anchor + ", but there is no top-level x-" + anchor);
        }
        assertTrue(merged.isObject(), "the merge key must name a mapping, got " + merged);
        ObjectNode out = ((ObjectNode) merged).deepCopy();
        env.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("<<")) {
                out.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void composeFileNamesOnlyImagesArgumentsPortsAndKeysOfThisBuild() throws Exception {
        JsonNode compose = yamlDocuments(DEPLOY.resolve("compose/docker-compose.yml")).get(0);
        JsonNode services = compose.get("services");
        assertEquals("apache/kafka:" + pomProperty("kafka.version"), services.get("kafka").get("image").asText());
        assertEquals("spikestream:" + projectVersion(), services.get("jobmanager").get("image").asText());

        String dockerfile = Files.readString(DEPLOY.resolve("compose/Dockerfile"));
        assertTrue(dockerfile.contains("FROM flink:" + pomProperty("flink.version") + "-java17"), "Dockerfile base image must match flink.version");
        assertTrue(Files.readString(ROOT.resolve("pipeline/pom.xml")).contains("<finalName>spikestream-job</finalName>"),
                "the Dockerfile copies spikestream-job.jar, which the pipeline build must produce");

        List<String> command = texts(services.get("jobmanager").get("command"));
        assertEquals("standalone-job", command.get(0));
        assertEquals("--job-classname", command.get(1));
        Class.forName(command.get(2));
        List<String> args = command.subList(3, command.size());
        assertSpikestreamArguments(args, "compose jobmanager");
        assertModelPathIsBundled(args, "compose jobmanager");
        assertTrue(args.contains("kafka:9092"));
        assertTrue(texts(services.get("kafka").get("ports")).contains("9092:9092"));
        assertTrue(services.get("kafka").get("environment").get("KAFKA_LISTENERS").asText().contains(":9092"));

        for (String service : List.of("jobmanager", "taskmanager")) {
            JsonNode env = environment(compose, services.get(service));
            assertNotNull(env.get("FLINK_PROPERTIES"), "compose " + service + " has no FLINK_PROPERTIES");
            assertFlinkKeys(flatYaml(env.get("FLINK_PROPERTIES").asText(), "FLINK_PROPERTIES"), "compose " + service + " FLINK_PROPERTIES");
        }
        assertEquals("spikestream:" + projectVersion(), services.get("taskmanager").get("image").asText());
    }

    @Test
    void kubernetesDeploymentsNameOnlyClassesArgumentsAndKeysOfThisBuild() throws Exception {
        for (String file : List.of("flinkdeployment.yaml", "flinkdeployment-gpu.yaml")) {
            JsonNode d = yamlDocuments(DEPLOY.resolve("k8s").resolve(file)).get(0);
            assertEquals("FlinkDeployment", d.get("kind").asText());
            assertEquals("spikestream:" + projectVersion() + (file.contains("gpu") ? "-cuda" : ""), d.get("spec").get("image").asText());
            JsonNode job = d.get("spec").get("job");
            assertEquals("local:///opt/flink/usrlib/spikestream-job.jar", job.get("jarURI").asText());
            Class.forName(job.get("entryClass").asText());
            List<String> args = texts(job.get("args"));
            assertSpikestreamArguments(args, file);
            assertModelPathIsBundled(args, file);
            Map<String, String> config = new java.util.LinkedHashMap<>();
            ((ObjectNode) d.get("spec").get("flinkConfiguration")).fields()
                    .forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            assertFlinkKeys(config, file);
            assertTrue(config.get("execution.checkpointing.dir").startsWith("s3://"), "checkpoints must be on durable storage");
            List<String> plugins = new ArrayList<>();
            for (JsonNode c : d.get("spec").path("podTemplate").path("spec").path("containers")) {
                for (JsonNode e : c.path("env")) {
                    if (e.get("name").asText().equals("ENABLE_BUILT_IN_PLUGINS")) {
                        plugins.addAll(List.of(e.get("value").asText().split(";")));
                    }
                }
            }
            assertTrue(plugins.contains("flink-s3-fs-presto-" + pomProperty("flink.version") + ".jar"),
                    file + ": s3:// state needs the image's S3 plugin of this Flink version enabled, got " + plugins);
            assertEquals("kubernetes", config.get("high-availability.type"));
        }
        for (String file : List.of("kafka-topics.yaml", "rbac.yaml", "namespace.yaml")) {
            for (JsonNode doc : yamlDocuments(DEPLOY.resolve("k8s").resolve(file))) {
                assertNotNull(doc.get("kind"), file + ": a document without kind");
                assertNotNull(doc.get("metadata").get("name"), file + ": a document without a name");
            }
        }
    }

    @Test
    void localClusterConfigurationUsesOnlyKnownFlinkKeys() throws Exception {
        String script = Files.readString(DEPLOY.resolve("local/cluster"));
        Matcher m = Pattern.compile("cat > \"\\$conf/config.yaml\" <<YAML\\n(.*?)\\nYAML", Pattern.DOTALL).matcher(script);
        assertTrue(m.find(), "deploy/local/cluster writes no config.yaml");
        Map<String, String> config = new java.util.LinkedHashMap<>();
        for (String line : m.group(1).split("\n")) {
            int colon = line.indexOf(": ");
            config.put(line.substring(0, colon).strip(), line.substring(colon + 2));
        }
        assertFlinkKeys(config, "deploy/local/cluster");
        for (String main : List.of("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint",
                "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", "org.apache.flink.client.cli.CliFrontend",
                "org.apache.flink.runtime.util.bash.BashJavaUtils", "io.spikestream.connectors.kafka.LocalKafkaBroker")) {
            assertTrue(script.contains(main));
            Class.forName(main);
        }
        try (Stream<Path> files = Files.list(DEPLOY.resolve("local"))) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().equals("pom.xml")));
        }
    }

    // ---- settings that mean what they say (issue 11, item 4) ----

    /** The Flink configuration of the local cluster script (its config.yaml heredoc), with the shell variables left as text. */
    private static Map<String, String> localClusterConfig() throws IOException {
        String script = Files.readString(DEPLOY.resolve("local/cluster"));
        Matcher m = Pattern.compile("cat > \"\\$conf/config.yaml\" <<YAML\\n(.*?)\\nYAML", Pattern.DOTALL).matcher(script);
        assertTrue(m.find(), "deploy/local/cluster writes no config.yaml");
        Map<String, String> config = new java.util.LinkedHashMap<>();
        for (String line : m.group(1).split("\n")) {
            int colon = line.indexOf(": ");
            config.put(line.substring(0, colon).strip(), line.substring(colon + 2));
        }
        return config;
    }

    /**
     * Every key a deployment's Flink configuration sets stays in force when the job runs with that
     * deployment's arguments: {@code run} adds a key only for a flag that is given.
     */
    private static void assertRunKeepsClusterKeys(Map<String, String> cluster, List<String> args, String where) {
        CommandLine.ParseResult parsed = new CommandLine(new Main()).parseArgs(args.toArray(String[]::new));
        io.spikestream.cli.RunCommand run = (io.spikestream.cli.RunCommand) parsed.subcommand().commandSpec().userObject();
        Map<String, String> usable = new java.util.LinkedHashMap<>(cluster);
        usable.replaceAll((k, v) -> v.contains("$") ? "file:///placeholder" : v); // shell variables of the local script
        org.apache.flink.configuration.Configuration clusterConf = org.apache.flink.configuration.Configuration.fromMap(usable);
        Map<String, String> set = run.settings(clusterConf).toMap();
        for (String key : set.keySet()) {
            if (cluster.containsKey(key)) {
                String flag = switch (key) {
                    case "execution.checkpointing.interval" -> "--checkpoint-interval-ms";
                    case "state.backend.type" -> "--state-backend";
                    case "pipeline.max-parallelism" -> "--max-parallelism";
                    case "execution.checkpointing.dir" -> "--checkpoint-dir";
                    default -> null;
                };
                assertTrue(flag != null && args.contains(flag), where + ": run replaces the cluster's " + key + " (" + cluster.get(key)
                        + ") with " + set.get(key) + " although no flag asks for it");
            }
        }
        assertTrue(cluster.containsKey("execution.checkpointing.interval"), where + " sets no checkpoint interval");
        assertFalse(set.containsKey("execution.checkpointing.interval"),
                where + ": the cluster's execution.checkpointing.interval must be the one in force");
    }

    @Test
    void runArgumentsInEveryDeploymentLeaveTheClustersKeysInForce() throws Exception {
        JsonNode compose = yamlDocuments(DEPLOY.resolve("compose/docker-compose.yml")).get(0);
        JsonNode services = compose.get("services");
        List<String> command = texts(services.get("jobmanager").get("command"));
        Map<String, String> composeConf = flatYaml(environment(compose, services.get("jobmanager")).get("FLINK_PROPERTIES").asText(), "compose");
        assertRunKeepsClusterKeys(composeConf, command.subList(3, command.size()), "compose");

        for (String file : List.of("flinkdeployment.yaml", "flinkdeployment-gpu.yaml")) {
            JsonNode d = yamlDocuments(DEPLOY.resolve("k8s").resolve(file)).get(0);
            Map<String, String> config = new java.util.LinkedHashMap<>();
            d.get("spec").get("flinkConfiguration").fields().forEachRemaining(e -> config.put(e.getKey(), e.getValue().asText()));
            assertRunKeepsClusterKeys(config, texts(d.get("spec").get("job").get("args")), file);
            // the job's parallelism must fit under the maximum parallelism run sets when the file sets none
            int parallelism = d.get("spec").get("job").get("parallelism").asInt();
            int max = Integer.parseInt(config.getOrDefault("pipeline.max-parallelism",
                    String.valueOf(io.spikestream.cli.RunCommand.DEFAULT_MAX_PARALLELISM)));
            assertTrue(parallelism <= max, file + ": parallelism " + parallelism + " above the maximum parallelism " + max);
        }

        assertRunKeepsClusterKeys(localClusterConfig(), List.of("run", "--bootstrap-servers", "127.0.0.1:9092", "--input-topic", "events",
                "--output-topic", "classifications", "--model", "m.safetensors"), "deploy/local/cluster");
        String readme = Files.readString(DEPLOY.resolve("README.md"));
        assertTrue(readme.contains("--max-parallelism"), "deploy/README.md must explain --max-parallelism");
    }

    private static Map<String, String> envList(JsonNode containers) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (JsonNode c : containers) {
            for (JsonNode e : c.path("env")) {
                env.put(e.get("name").asText(), e.path("value").asText());
            }
        }
        return env;
    }

    /** OpenMP waits passively, and a TaskManager's slots together use at most its compute threads, which match its CPUs. */
    private static void assertThreadBudget(Map<String, String> env, int slots, double cpus, String where) {
        assertEquals("PASSIVE", env.get("OMP_WAIT_POLICY"), where + ": OMP_WAIT_POLICY");
        String threads = env.get(io.spikestream.model.Parallel.THREADS_ENV);
        assertNotNull(threads, where + ": no " + io.spikestream.model.Parallel.THREADS_ENV);
        assertNotNull(env.get("OMP_NUM_THREADS"), where + ": no OMP_NUM_THREADS (OpenMP would start a thread per host core in each slot)");
        int tmThreads = Integer.parseInt(threads);
        int perSlot = Integer.parseInt(env.get("OMP_NUM_THREADS"));
        assertEquals((int) Math.floor(cpus), tmThreads, where + ": compute threads per TaskManager must match its CPUs");
        assertTrue(perSlot >= 1 && perSlot * slots <= tmThreads,
                where + ": " + slots + " slots x OMP_NUM_THREADS " + perSlot + " exceed the TaskManager's " + tmThreads + " threads");
    }

    @Test
    void threadSettingsTheBenchmarksRelyOnAreInEveryDeployment() throws Exception {
        String dockerfile = Files.readString(DEPLOY.resolve("compose/Dockerfile"));
        assertTrue(Pattern.compile("(?m)^ENV[^\\n]*OMP_WAIT_POLICY=PASSIVE").matcher(dockerfile).find()
                || Pattern.compile("(?s)ENV .*OMP_WAIT_POLICY=PASSIVE").matcher(dockerfile).find(), "the image must set OMP_WAIT_POLICY=PASSIVE");
        assertTrue(dockerfile.contains("OMP_NUM_THREADS="), "the image must bound OpenMP's threads");

        JsonNode compose = yamlDocuments(DEPLOY.resolve("compose/docker-compose.yml")).get(0);
        JsonNode tm = compose.get("services").get("taskmanager");
        JsonNode env = environment(compose, tm);
        Map<String, String> envMap = new java.util.LinkedHashMap<>();
        env.fields().forEachRemaining(e -> envMap.put(e.getKey(), e.getValue().asText()));
        int slots = Integer.parseInt(flatYaml(env.get("FLINK_PROPERTIES").asText(), "compose").get("taskmanager.numberOfTaskSlots"));
        double cpus = tm.path("deploy").path("resources").path("limits").path("cpus").asDouble(0);
        assertTrue(cpus > 0, "compose taskmanager needs a CPU limit, so that its thread budget means something");
        assertThreadBudget(envMap, slots, cpus, "compose taskmanager");

        for (String file : List.of("flinkdeployment.yaml", "flinkdeployment-gpu.yaml")) {
            JsonNode d = yamlDocuments(DEPLOY.resolve("k8s").resolve(file)).get(0);
            Map<String, String> k8sEnv = envList(d.get("spec").path("podTemplate").path("spec").path("containers"));
            k8sEnv.putAll(envList(d.get("spec").path("taskManager").path("podTemplate").path("spec").path("containers")));
            int k8sSlots = d.get("spec").get("flinkConfiguration").get("taskmanager.numberOfTaskSlots").asInt();
            double k8sCpus = d.get("spec").get("taskManager").get("resource").get("cpu").asDouble();
            assertThreadBudget(k8sEnv, k8sSlots, k8sCpus, file);
        }

        String local = Files.readString(DEPLOY.resolve("local/cluster"));
        for (String v : List.of("OMP_WAIT_POLICY=\"${OMP_WAIT_POLICY:-PASSIVE}\"", "OMP_NUM_THREADS=", io.spikestream.model.Parallel.THREADS_ENV + "=")) {
            assertTrue(local.contains(v), "deploy/local/cluster must start TaskManagers with " + v);
        }
        assertTrue(Files.readString(ROOT.resolve("spikestream")).contains("OMP_WAIT_POLICY=\"${OMP_WAIT_POLICY:-PASSIVE}\""),
                "the launcher must set OMP_WAIT_POLICY=PASSIVE");
    }
}
