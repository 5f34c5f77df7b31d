package io.spikestream.view;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.spikestream.pipeline.job.ClassificationResult;
import io.spikestream.schemas.Classification;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live view: one page (bundled static HTML/JS/CSS, no CDN) and one Server-Sent-Events stream
 * that pushes, per sensor, the last window's heat map, raw and smoothed probabilities, a decision
 * timeline and running figures, served by the process itself with the JDK's HTTP server.
 *
 * <p>The seam to the job is {@link #offer}: it never blocks. Observations go into a bounded inbox
 * that drops its oldest entry when full; one dispatcher thread folds them into per-sensor state and
 * pushes to the browsers, each through its own bounded queue, so neither a slow browser nor a busy
 * view can slow the job. Only {@code /}, {@code /view.js}, {@code /view.css} and {@code /events}
 * are served; on a loopback address requests must name a loopback host (no DNS rebinding).
 *
 * <p>One view per address and port per JVM ({@link #obtain}): the job's sinks find the view the
 * command started when they run in the same JVM (local Flink), and start their own where they run
 * elsewhere (a TaskManager), so the view survives job restarts either way.
 */
public final class LiveView implements AutoCloseable {
    static final int INBOX = 1024;
    static final int CLIENT_QUEUE = 64;
    static final int MAX_CLIENTS = 16;
    static final int TIMELINE = 120;
    static final int LATENCIES = 512;
    static final int RECENT_FRAMES = 32;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLOSE = "\0close";
    private static final Map<String, LiveView> RUNNING = new HashMap<>();
    private static final Map<String, String[]> FILES = Map.of(
            "/", new String[] {"index.html", "text/html; charset=utf-8"},
            "/view.js", new String[] {"view.js", "text/javascript; charset=utf-8"},
            "/view.css", new String[] {"view.css", "text/css; charset=utf-8"});

    private final HttpServer server;
    private final ExecutorService http;
    private final Thread dispatcher;
    private final String bind;
    private final int port;
    private final String source;
    private final long startedAtMs = System.currentTimeMillis();
    private final Map<String, byte[]> files = new HashMap<>();
    private final Set<String> allowedHosts;
    private final BlockingQueue<Object> inbox = new ArrayBlockingQueue<>(INBOX);
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final List<BlockingQueue<String>> clients = new CopyOnWriteArrayList<>();
    /** Guarded by {@code this}: written by the dispatcher, read for a new browser's snapshot. */
    private final Map<String, SensorView> sensors = new TreeMap<>();
    private volatile List<String> classNames = List.of();
    private volatile boolean closed;

    private LiveView(String bind, int port, String source) throws IOException {
        this.source = source;
        for (String[] f : FILES.values()) {
            try (InputStream in = LiveView.class.getResourceAsStream(f[0])) {
                if (in == null) {
                    throw new IOException("live view resource " + f[0] + " is missing from this build");
                }
                files.put(f[0], in.readAllBytes());
            }
        }
        InetAddress address = InetAddress.getByName(bind);
        server = HttpServer.create(new InetSocketAddress(address, port), 16);
        this.bind = bind;
        this.port = server.getAddress().getPort();
        allowedHosts = address.isLoopbackAddress()
                ? Set.of("127.0.0.1:" + this.port, "localhost:" + this.port, "[::1]:" + this.port) : null;
        // one thread per open stream (at most MAX_CLIENTS) plus page requests; daemons never keep the JVM up
        http = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "live-view-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(http);
        server.createContext("/", this::handle);
        dispatcher = new Thread(this::dispatch, "live-view");
        dispatcher.setDaemon(true);
        dispatcher.start();
        server.start();
    }

    /**
     * Starts a view on {@code bind:port} (0 = a free port) in this JVM, registered so that the
     * job's sinks in this JVM find it by {@link #port()}.
     *
     * @param source what feeds it, shown on the page ("job" or "committed classifications")
     */
    public static synchronized LiveView start(String bind, int port, String source) throws IOException {
        LiveView v = new LiveView(bind, port, source);
        RUNNING.put(key(bind, v.port), v);
        if (port == 0) {
            RUNNING.put(key(bind, 0), v);
        }
        return v;
    }

    /** The view running on {@code bind:port} in this JVM, or a new one there (a sink on a TaskManager). */
    public static synchronized LiveView obtain(String bind, int port) throws IOException {
        LiveView v = RUNNING.get(key(bind, port));
        return v != null && !v.closed ? v : start(bind, port, "job");
    }

    private static String key(String bind, int port) {
        return bind + ":" + port;
    }

    public URI url() {
        String host = bind.contains(":") ? "[" + bind + "]" : bind;
        if (host.equals("0.0.0.0") || host.equals("[::]")) {
            host = "127.0.0.1";
        }
        return URI.create("http://" + host + ":" + port + "/");
    }

    public String bind() {
        return bind;
    }

    public int port() {
        return port;
    }

    /** The model's class names in output order, for the bars (otherwise learnt from the classifications). */
    public void classNames(List<String> names) {
        if (names != null && !names.isEmpty()) {
            classNames = List.copyOf(names);
        }
    }

    /**
     * Hands an observation ({@link FrameHeat}, {@link ClassificationResult} or an Avro
     * {@link Classification}) to the view without ever blocking: when the inbox is full the oldest
     * observation is dropped (and counted).
     */
    public void offer(Object observation) {
        if (closed) {
            return;
        }
        received.incrementAndGet();
        while (!inbox.offer(observation)) {
            if (inbox.poll() != null) {
                dropped.incrementAndGet();
            }
        }
    }

    /** Observations dropped because the view fell behind. */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        synchronized (LiveView.class) {
            RUNNING.values().removeIf(v -> v == this);
        }
        closed = true;
        for (BlockingQueue<String> c : clients) {
            c.clear();
            c.offer(CLOSE);
        }
        server.stop(0);
        dispatcher.interrupt();
        http.shutdownNow();
    }

    // ---- the dispatcher ------------------------------------------------------------------------

    private void dispatch() {
        List<Object> batch = new ArrayList<>();
        while (!closed) {
            try {
                Object first = inbox.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.clear();
                batch.add(first);
                inbox.drainTo(batch);
                // fold the whole backlog in, then push each changed sensor once: a view that falls behind catches up
                Map<String, String> changed = new TreeMap<>();
                synchronized (this) {
                    for (Object o : batch) {
                        SensorView s = apply(o);
                        if (s != null) {
                            changed.put(s.sensor, null);
                        }
                    }
                    changed.replaceAll((sensor, none) -> message("sensor", sensors.get(sensor).json()));
                }
                changed.values().forEach(this::broadcast);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // a malformed observation must not stop the view; it is dropped
                dropped.incrementAndGet();
            }
        }
    }

    private SensorView apply(Object o) {
        if (o instanceof FrameHeat f) {
            SensorView s = sensors.computeIfAbsent(f.sensorId, SensorView::new);
            s.frames.addLast(f);
            while (s.frames.size() > RECENT_FRAMES) {
                s.frames.pollFirst();
            }
            return s;
        }
        if (o instanceof Classification a) {
            o = fromAvro(a);
        }
        if (o instanceof ClassificationResult c) {
            SensorView s = sensors.computeIfAbsent(c.sensorId, SensorView::new);
            s.add(c);
            return s;
        }
        return null;
    }

    private void broadcast(String message) {
        for (BlockingQueue<String> c : clients) {
            // a browser that does not keep up loses its oldest updates, never the job's time
            while (!c.offer(message)) {
                c.poll();
            }
        }
    }

    private static String message(String event, ObjectNode data) {
        return "event: " + event + "\ndata: " + data + "\n\n";
    }

    /** A committed classification read back from Kafka, in the job's form (it has no event count). */
    static ClassificationResult fromAvro(Classification a) {
        ClassificationResult c = new ClassificationResult();
        c.sensorId = a.getSensorId();
        c.windowIndex = a.getWindowIndex();
        c.windowStartUs = a.getWindowStartUs();
        c.windowEndUs = a.getWindowEndUs();
        c.events = -1;
        c.topClass = a.getTopClass();
        c.topClassName = a.getTopClassName();
        c.probabilities = floats(a.getProbabilities());
        c.logits = floats(a.getLogits());
        c.smoothedClass = a.getSmoothedClass();
        c.smoothedClassName = a.getSmoothedClassName();
        c.smoothedProbabilities = floats(a.getSmoothedProbabilities());
        c.spikesPerNeuron = a.getSpikes().getSpikesPerNeuron();
        int n = a.getSpikes().getLayerSpikeRates().size();
        c.layerNames = new String[n];
        c.layerRates = new float[n];
        for (int i = 0; i < n; i++) {
            c.layerNames[i] = a.getSpikes().getLayerSpikeRates().get(i).getLayer();
            c.layerRates[i] = a.getSpikes().getLayerSpikeRates().get(i).getRate();
        }
        c.synapticOperations = a.getSpikes().getSynapticOperations();
        c.energyPicojoules = a.getSpikes().getEnergyPicojoules();
        c.modelId = a.getModelId();
        c.latencyMs = a.getLatencyMs();
        c.emittedAtMs = a.getEmittedAtMs();
        return c;
    }

    private static float[] floats(List<Float> l) {
        float[] f = new float[l.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = l.get(i);
        }
        return f;
    }

    /** What the page shows of one sensor; touched only under the view's lock. */
    private final class SensorView {
        final String sensor;
        /** The latest frames, so that the page shows the frame of the window whose probabilities it shows. */
        final ArrayDeque<FrameHeat> frames = new ArrayDeque<>();
        ClassificationResult last;
        long windows;
        long replays;
        final ArrayDeque<ClassificationResult> timeline = new ArrayDeque<>();
        final double[] latencies = new double[LATENCIES];
        int latencyCount;
        final Map<Integer, String> learntNames = new HashMap<>();

        SensorView(String sensor) {
            this.sensor = sensor;
        }

        void add(ClassificationResult c) {
            if (!timeline.isEmpty() && c.windowIndex <= timeline.peekLast().windowIndex) {
                // the job restarted from a checkpoint and replays windows: the replayed ones replace the old
                replays++;
                while (!timeline.isEmpty() && timeline.peekLast().windowIndex >= c.windowIndex) {
                    timeline.pollLast();
                }
            }
            timeline.addLast(c);
            while (timeline.size() > TIMELINE) {
                timeline.pollFirst();
            }
            last = c;
            windows++;
            latencies[latencyCount++ % LATENCIES] = c.latencyMs;
            learntNames.put(c.topClass, c.topClassName);
            learntNames.put(c.smoothedClass, c.smoothedClassName);
        }

        String name(int i) {
            List<String> names = classNames;
            if (i < names.size()) {
                return names.get(i);
            }
            return learntNames.getOrDefault(i, "class " + i);
        }

        /** The frame of the last classified window when it is at hand, else the newest. */
        FrameHeat frame() {
            if (last != null) {
                for (FrameHeat f : frames) {
                    if (f.windowIndex == last.windowIndex) {
                        return f;
                    }
                }
            }
            return frames.peekLast();
        }

        ObjectNode json() {
            FrameHeat frame = frame();
            ObjectNode o = JSON.createObjectNode();
            o.put("sensor", sensor);
            if (last != null) {
                ClassificationResult c = last;
                ObjectNode w = o.putObject("window");
                w.put("index", c.windowIndex).put("startUs", c.windowStartUs).put("endUs", c.windowEndUs)
                        .put("top", c.topClass).put("topName", c.topClassName)
                        .put("smoothed", c.smoothedClass).put("smoothedName", c.smoothedClassName)
                        .put("spikesPerNeuron", c.spikesPerNeuron).put("latencyMs", c.latencyMs)
                        .put("modelId", c.modelId).put("freshState", c.freshState);
                ArrayNode names = w.putArray("classes");
                for (int i = 0; i < c.probabilities.length; i++) {
                    names.add(name(i));
                }
                ArrayNode p = w.putArray("probabilities");
                for (float v : c.probabilities) {
                    p.add(round(v));
                }
                ArrayNode sp = w.putArray("smoothedProbabilities");
                for (float v : c.smoothedProbabilities) {
                    sp.add(round(v));
                }
                ArrayNode layers = w.putArray("layers");
                for (int i = 0; i < c.layerNames.length; i++) {
                    layers.addObject().put("name", c.layerNames[i]).put("rate", round(c.layerRates[i]));
                }
            }
            if (frame != null) {
                ObjectNode f = o.putObject("frame");
                f.put("index", frame.windowIndex).put("startUs", frame.startUs).put("endUs", frame.endUs)
                        .put("height", frame.height).put("width", frame.width).put("events", frame.events)
                        .put("maxCount", frame.maxCount).put("heat", Base64.getEncoder().encodeToString(frame.heat));
            }
            ObjectNode st = o.putObject("stats");
            st.put("windows", windows).put("replays", replays).put("dropped", dropped.get());
            long events = frame != null ? frame.events : last != null ? last.events : -1;
            long spanUs = frame != null ? frame.endUs - frame.startUs : last != null ? last.windowEndUs - last.windowStartUs : 0;
            if (events >= 0 && spanUs > 0) {
                st.put("eventsPerSecond", events * 1e6 / spanUs);
            }
            int n = Math.min(latencyCount, LATENCIES);
            if (n > 0) {
                double[] l = Arrays.copyOf(latencies, n);
                Arrays.sort(l);
                st.put("latencyP50", l[(int) Math.ceil(0.5 * n) - 1]).put("latencyP99", l[(int) Math.ceil(0.99 * n) - 1]);
            }
            ArrayNode t = o.putArray("timeline");
            for (ClassificationResult c : timeline) {
                t.addObject().put("index", c.windowIndex).put("startUs", c.windowStartUs)
                        .put("top", c.topClass).put("topName", c.topClassName)
                        .put("p", round(c.probabilities[c.topClass]))
                        .put("smoothed", c.smoothedClass).put("smoothedName", c.smoothedClassName);
            }
            return o;
        }
    }

    private static double round(float v) {
        return Math.round(v * 1e4) / 1e4;
    }

    // ---- HTTP ----------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            if (allowedHosts != null) {
                String host = ex.getRequestHeaders().getFirst("Host");
                if (host == null || !allowedHosts.contains(host.toLowerCase(Locale.ROOT))) {
                    reply(ex, 403, "text/plain", "forbidden host\n".getBytes(StandardCharsets.UTF_8));
                    return;
                }
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                reply(ex, 405, "text/plain", "method not allowed\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            if (path.equals("/events")) {
                stream(ex);
                return;
            }
            String[] file = FILES.get(path.equals("/index.html") ? "/" : path);
            if (file == null) {
                reply(ex, 404, "text/plain", "not found\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            ex.getResponseHeaders().set("Content-Security-Policy",
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'");
            reply(ex, 200, file[1], method.equals("HEAD") ? null : files.get(file[0]));
        }
    }

    private static void reply(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body == null ? -1 : body.length);
        if (body != null) {
            ex.getResponseBody().write(body);
        }
    }

    private void stream(HttpExchange ex) throws IOException {
        if (clients.size() >= MAX_CLIENTS) {
            reply(ex, 503, "text/plain", "too many viewers\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.sendResponseHeaders(200, 0);
        BlockingQueue<String> queue = new ArrayBlockingQueue<>(CLIENT_QUEUE);
        List<String> snapshot = new ArrayList<>();
        ObjectNode hello = JSON.createObjectNode();
        hello.put("source", source).put("startedAtMs", startedAtMs);
        hello.set("classes", JSON.valueToTree(classNames));
        snapshot.add("retry: 1000\n\n");
        snapshot.add(message("hello", hello));
        synchronized (this) {
            clients.add(queue);
            for (SensorView s : sensors.values()) {
                snapshot.add(message("sensor", s.json()));
            }
        }
        try {
            OutputStream out = ex.getResponseBody();
            for (String m : snapshot) {
                out.write(m.getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            while (!closed) {
                String m = queue.poll(15, TimeUnit.SECONDS);
                if (m == CLOSE) {
                    break;
                }
                // a comment line every 15 s keeps proxies from closing an idle stream
                out.write((m == null ? ": ping\n\n" : m).getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the browser went away (or the view closed); it reconnects on its own
        } finally {
            clients.remove(queue);
        }
    }
}
