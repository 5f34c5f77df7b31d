package io.spikestream.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.pipeline.job.ClassificationResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The view's server without a browser: what it serves and refuses, and that handing it updates never blocks. */
class LiveViewTest {

    static ClassificationResult classification(String sensor, long window) {
        ClassificationResult c = new ClassificationResult();
        c.sensorId = sensor;
        c.windowIndex = window;
        c.windowStartUs = window * 800_000;
        c.windowEndUs = c.windowStartUs + 800_000;
        c.topClass = 1;
        c.topClassName = "east";
        c.smoothedClass = 1;
        c.smoothedClassName = "east";
        c.probabilities = new float[] {0.25f, 0.75f};
        c.smoothedProbabilities = c.probabilities;
        c.logits = new float[] {0f, 1f};
        c.layerNames = new String[] {"lif0"};
        c.layerRates = new float[] {0.1f};
        c.modelId = "test";
        c.latencyMs = window;
        return c;
    }

    @Test
    void servesOnlyItsPageAndStreamToLoopbackHosts() throws Exception {
        try (LiveView view = LiveView.start("127.0.0.1", 0, "job")) {
            assertEquals(200, status(view, "GET", "/", null));
            assertEquals(200, status(view, "GET", "/view.js", null));
            assertEquals(200, status(view, "GET", "/view.css", null));
            assertEquals(404, status(view, "GET", "/../pom.xml", null));
            assertEquals(404, status(view, "GET", "/io/spikestream/view/index.html", null));
            assertEquals(405, status(view, "POST", "/", null));
            assertEquals(403, status(view, "GET", "/", "attacker.example:" + view.port()));
        }
    }

    @Test
    void offeringNeverBlocksAndTheStreamCarriesTheLatestState() throws Exception {
        try (LiveView view = LiveView.start("127.0.0.1", 0, "job")) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 100_000; i++) {
                view.offer(classification("cam-" + (i % 3), i));
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms < 5_000, "100,000 offers took " + ms + " ms");
            // the stream opens with a hello and a snapshot of every sensor
            try (Socket s = new Socket("127.0.0.1", view.port())) {
                s.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
                s.getOutputStream().write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1:" + view.port() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                boolean hello = false;
                java.util.Set<String> sensors = new java.util.TreeSet<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (sensors.size() < 3 && System.nanoTime() < deadline) {
                    String line = in.readLine();
                    if (line == null) {
                        break;
                    }
                    hello |= line.equals("event: hello");
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"sensor\":\"(cam-\\d)\"").matcher(line);
                    if (m.find()) {
                        sensors.add(m.group(1));
                    }
                }
                assertTrue(hello, "no hello event");
                assertEquals(java.util.Set.of("cam-0", "cam-1", "cam-2"), sensors);
            }
        }
    }

    @Test
    void windowsReplayedAfterAJobRestartReplaceTheOldOnesInTheTimeline() throws Exception {
        try (LiveView view = LiveView.start("127.0.0.1", 0, "job")) {
            for (long w : new long[] {0, 1, 2, 3, 4, 2, 3}) {
                view.offer(classification("cam", w));
            }
            String state = firstSensorMessage(view, "\"replays\":1");
            java.util.List<String> indexes = new java.util.ArrayList<>();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{\"index\":(\\d+),\"startUs\"").matcher(
                    state.substring(state.indexOf("\"timeline\"")));
            while (m.find()) {
                indexes.add(m.group(1));
            }
            assertEquals(java.util.List.of("0", "1", "2", "3"), indexes, state);
            assertTrue(state.contains("\"windows\":7"), state);
        }
    }

    @Test
    void theHeatMapIsTheWindowSummedOverBinsAndPolaritiesOnASquareRootScale() {
        io.spikestream.pipeline.job.FramedWindow w = new io.spikestream.pipeline.job.FramedWindow();
        w.sensorId = "cam";
        w.bins = 2;
        w.height = 1;
        w.width = 3;
        // [bin][polarity][pixel]: pixel 0 gets 1+1+1+1 = 4 events, pixel 1 gets 1, pixel 2 none
        w.frames = new float[] {1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0};
        w.binEvents = new int[] {3, 2};
        FrameHeat h = FrameHeat.of(w);
        assertEquals(4f, h.maxCount);
        assertEquals(255, h.heat[0] & 0xff);
        assertEquals(128, h.heat[1] & 0xff); // 255 * sqrt(1/4) = 127.5
        assertEquals(0, h.heat[2] & 0xff);
        assertEquals(5, h.events);
    }

    /** The first {@code sensor} event of a new stream that contains {@code marker}. */
    private static String firstSensorMessage(LiveView view, String marker) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", view.port())) {
                s.setSoTimeout(5_000);
                s.getOutputStream().write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1:" + view.port() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("data: {\"sensor\"")) {
                        if (line.contains(marker)) {
                            return line;
                        }
                        break; // the dispatcher has not folded everything in yet: ask again
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no sensor state with " + marker + " within 20 s");
    }

    private static int status(LiveView view, String method, String path, String host) throws Exception {
        if (host == null && !path.contains("..")) {
            HttpURLConnection c = (HttpURLConnection) view.url().resolve(path).toURL().openConnection();
            c.setRequestMethod(method);
            c.setConnectTimeout(5_000);
            c.setReadTimeout(5_000);
            try {
                return c.getResponseCode();
            } finally {
                c.disconnect();
            }
        }
        // a raw request: a path the URL class would normalise, or a Host header it would not send
        try (Socket s = new Socket("127.0.0.1", view.port())) {
            s.setSoTimeout(5_000);
            String h = host != null ? host : "127.0.0.1:" + view.port();
            s.getOutputStream().write((method + " " + path + " HTTP/1.1\r\nHost: " + h + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String first = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(first.split(" ")[1]);
        }
    }
}
