package io.spikestream.view;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * Debian's headless {@code chromium} driven through {@code chromedriver} with plain W3C WebDriver
 * requests over {@code java.net.http}: a new session, a page, scripts, a screenshot. Enough for the
 * live view's browser test without a WebDriver library.
 */
final class HeadlessChromium implements AutoCloseable {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String DRIVER = "/usr/bin/chromedriver";
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Process driver;
    private final String base;
    private final Path profile;
    private String session;

    /** Whether both binaries are installed (the test skips, saying so, where they are not). */
    static boolean available() {
        return Files.isExecutable(Path.of(CHROMIUM)) && Files.isExecutable(Path.of(DRIVER));
    }

    HeadlessChromium(Path logFile) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        driver = new ProcessBuilder(DRIVER, "--port=" + port).redirectErrorStream(true)
                .redirectOutput(logFile.toFile()).start();
        base = "http://127.0.0.1:" + port;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                if (call("GET", "/status", null).path("value").path("ready").asBoolean()) {
                    break;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IOException("chromedriver did not become ready within 30 s (log: " + logFile + ")");
            }
            Thread.sleep(100);
        }
        profile = Files.createTempDirectory("spikestream-chromium-");
        ObjectNode caps = JSON.createObjectNode();
        ObjectNode always = caps.putObject("capabilities").putObject("alwaysMatch");
        always.put("browserName", "chrome");
        ObjectNode chrome = always.putObject("goog:chromeOptions");
        chrome.put("binary", CHROMIUM);
        // what Chromium needs to run headless as root in a container, offline and quietly
        List<String> args = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1300,800", "--user-data-dir=" + profile);
        args.forEach(chrome.putArray("args")::add);
        JsonNode r = call("POST", "/session", caps);
        session = r.path("value").path("sessionId").asText(null);
        if (session == null) {
            close();
            throw new IOException("chromedriver refused a session: " + r);
        }
    }

    void open(URI url) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("url", url.toString());
        check(call("POST", "/session/" + session + "/url", body));
    }

    /** Runs {@code script} (a function body; {@code return} gives the value) in the page. */
    JsonNode script(String script) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode().put("script", script);
        body.putArray("args");
        return check(call("POST", "/session/" + session + "/execute/sync", body)).path("value");
    }

    void screenshot(Path png) throws IOException, InterruptedException {
        JsonNode r = check(call("GET", "/session/" + session + "/screenshot", null));
        Files.createDirectories(png.toAbsolutePath().getParent());
        Files.write(png, Base64.getDecoder().decode(r.path("value").asText()));
    }

    private static JsonNode check(JsonNode r) throws IOException {
        if (r.path("value").has("error")) {
            throw new IOException("WebDriver error: " + r.path("value"));
        }
        return r;
    }

    private JsonNode call(String method, String path, JsonNode body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    @Override
    public void close() {
        try {
            if (session != null) {
                call("DELETE", "/session/" + session, null);
            }
        } catch (IOException | InterruptedException e) {
            // the driver is stopped below anyway
        }
        driver.destroy();
        try {
            if (!driver.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                driver.destroyForcibly();
            }
        } catch (InterruptedException e) {
            driver.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary profile left behind is harmless
            }
        }
    }
}
