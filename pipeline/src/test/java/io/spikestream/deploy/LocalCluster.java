package io.spikestream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives {@code deploy/local/cluster} (the script a person uses) from a test: a Kafka broker, a
 * JobManager and TaskManagers as separate processes, on free ports, with everything under one folder.
 * Savepoints and job state go through the JobManager's REST API.
 */
final class LocalCluster implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");

    private final Path script;
    private final Path dir;
    private final int restPort;
    private final int kafkaPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LocalCluster(Path script, Path dir, int restPort, int kafkaPort) {
        this.script = script;
        this.dir = dir;
        this.restPort = restPort;
        this.kafkaPort = kafkaPort;
    }

    /** Brings a cluster up ({@code cluster up}); the caller closes it ({@code cluster down}). */
    static LocalCluster up(Path script, Path dir, int taskManagers, String... options) throws IOException, InterruptedException {
        LocalCluster c = new LocalCluster(script, dir, freePort(), freePort());
        List<String> args = new ArrayList<>(List.of("up", "--taskmanagers", String.valueOf(taskManagers),
                "--rest-port", String.valueOf(c.restPort), "--rpc-port", String.valueOf(freePort()),
                "--kafka-port", String.valueOf(c.kafkaPort)));
        args.addAll(List.of(options));
        try {
            c.script(Duration.ofMinutes(6), args.toArray(String[]::new));
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    Path dir() {
        return dir;
    }

    /**
     * Submits {@code spikestream run} with the job's classes and libraries as Flink user classpath
     * ({@code -C}, the same classes the thin job jar bundles: surefire runs before the jar is
     * packaged), optionally restoring a savepoint. Returns the job id.
     */
    String submit(String savepoint, String... runOptions) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("submit", "--jar", launcherJar().toString()));
        for (String url : userClasspath()) {
            args.add("--classpath");
            args.add(url);
        }
        if (savepoint != null) {
            args.add("--from-savepoint");
            args.add(savepoint);
        }
        args.addAll(List.of(runOptions));
        String out = script(Duration.ofMinutes(3), args.toArray(String[]::new));
        Matcher m = JOB_ID.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("cluster submit printed no job id:\n" + out);
        }
        return m.group(1);
    }

    /** The job's state as the JobManager reports it (RUNNING, RESTARTING, FINISHED, ...). */
    String jobState(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).get("state").asText();
    }

    /**
     * How many failures the job went through (its exception history, which the scheduler keeps
     * current; the {@code numRestarts} metric reaches REST only at the next metric fetch).
     */
    int failures(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries").size();
    }

    /** Waits until every task of the job runs. */
    void awaitRunning(String jobId, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode job = get("/jobs/" + jobId);
            boolean all = job.get("state").asText().equals("RUNNING");
            for (JsonNode v : job.get("vertices")) {
                all &= v.get("status").asText().equals("RUNNING");
            }
            if (all) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("job " + jobId + " not running after " + timeout + ": " + get("/jobs/" + jobId).get("state"));
    }

    /** The TaskManager indexes (resource ids {@code taskmanager-I}) that run tasks of the job. */
    Set<Integer> taskManagersOf(String jobId) throws IOException, InterruptedException {
        Set<Integer> out = new HashSet<>();
        for (JsonNode v : get("/jobs/" + jobId).get("vertices")) {
            for (JsonNode s : get("/jobs/" + jobId + "/vertices/" + v.get("id").asText()).get("subtasks")) {
                String tm = s.path("taskmanager-id").asText();
                if (tm.startsWith("taskmanager-")) {
                    out.add(Integer.parseInt(tm.substring("taskmanager-".length())));
                }
            }
        }
        return out;
    }

    /** Stops the job with a savepoint (REST {@code /jobs/:id/stop}) and returns the savepoint's path. */
    String stopWithSavepoint(String jobId, Duration timeout) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(java.util.Map.of("targetDirectory", dir.resolve("savepoints").toUri().toString(), "drain", false));
        JsonNode trigger = send(HttpRequest.newBuilder(rest("/jobs/" + jobId + "/stop"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
        String requestId = trigger.get("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + requestId);
            if (status.get("status").get("id").asText().equals("COMPLETED")) {
                JsonNode op = status.get("operation");
                if (op.has("failure-cause")) {
                    throw new IllegalStateException("stop with savepoint failed: " + op.get("failure-cause"));
                }
                return op.get("location").asText();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no savepoint of " + jobId + " within " + timeout);
    }

    /** Cancels a job (REST) and waits until it has ended and given back its slots. */
    void cancel(String jobId) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            String state = jobState(jobId);
            if (state.equals("CANCELED") || state.equals("FAILED") || state.equals("FINISHED")) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + jobId + " still " + state + " a minute after cancelling it");
            }
            if (!state.equals("CANCELLING")) {
                http.send(HttpRequest.newBuilder(rest("/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            }
            Thread.sleep(500);
        }
    }

    void killTaskManager(int index) throws IOException, InterruptedException {
        script(Duration.ofSeconds(30), "kill-taskmanager", String.valueOf(index));
    }

    void startTaskManager(int index) throws IOException, InterruptedException {
        script(Duration.ofMinutes(2), "start-taskmanager", String.valueOf(index));
    }

    void stopKafka() throws IOException, InterruptedException {
        script(Duration.ofMinutes(1), "stop-kafka");
    }

    void startKafka() throws IOException, InterruptedException {
        script(Duration.ofMinutes(2), "start-kafka");
    }

    @Override
    public void close() throws IOException {
        try {
            script(Duration.ofMinutes(1), "down");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(rest(path)).GET().build());
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException(request.method() + " " + request.uri() + " answered " + r.statusCode() + ": " + r.body());
        }
        return JSON.readTree(r.body());
    }

    private URI rest(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    /** Runs the cluster script with this cluster's folder; returns its output, throws on failure. */
    private String script(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
        cmd.addAll(List.of(args));
        Files.createDirectories(dir);
        Path log = Files.createTempFile(dir, "script-", ".out");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("SPIKESTREAM_CLUSTER_DIR", dir.toString());
        // the broker is a plain Kafka process: this JVM's classpath has it already built
        pb.environment().put("SPIKESTREAM_BROKER_CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("cluster " + args[0] + " did not finish within " + timeout + ":\n" + Files.readString(log));
            }
            String out = Files.readString(log);
            if (p.exitValue() != 0) {
                throw new IOException("cluster " + args[0] + " failed (exit " + p.exitValue() + "):\n" + out);
            }
            return out;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /** A jar without classes: the job's classes come from the user classpath. */
    private Path launcherJar() throws IOException {
        Path jar = dir.resolve("launcher.jar");
        if (!Files.exists(jar)) {
            Manifest mf = new Manifest();
            mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), mf)) {
                out.flush();
            }
        }
        return jar;
    }

    /**
     * This JVM's classpath less what the cluster provides itself (Flink, logging, ND4J: the file
     * names of {@code flink.classpath}), as URLs: what the thin job jar would bundle.
     */
    private List<String> userClasspath() {
        Set<String> provided = new HashSet<>();
        try {
            for (String e : Files.readString(dir.resolve("flink.classpath")).strip().split(File.pathSeparator)) {
                provided.add(Path.of(e).getFileName().toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the cluster's classpath file is missing in " + dir, e);
        }
        List<String> urls = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(e);
            String name = p.getFileName().toString();
            boolean testOnly = name.equals("test-classes") || name.startsWith("junit-") || name.startsWith("flink-test-utils")
                    || name.startsWith("jmh-") || name.startsWith("surefire");
            if (!e.isEmpty() && Files.exists(p) && !provided.contains(name) && !testOnly
                    && !(name.startsWith("flink-") && name.contains("-tests"))) {
                urls.add(p.toUri().toString());
            }
        }
        return urls;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
