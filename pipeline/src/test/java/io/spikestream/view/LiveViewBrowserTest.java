package io.spikestream.view;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spikestream.cli.DemoCommand;
import io.spikestream.connectors.kafka.ClassificationDeserializer;
import io.spikestream.connectors.kafka.LocalKafkaBroker;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.connectors.replay.ReplayOptions;
import io.spikestream.connectors.replay.Replayer;
import io.spikestream.pipeline.job.ClassificationResult;
import io.spikestream.pipeline.job.JobConfig;
import io.spikestream.pipeline.job.ModelSetup;
import io.spikestream.pipeline.job.MsResNetWindowModel;
import io.spikestream.pipeline.job.SpikestreamJob;
import io.spikestream.schemas.Classification;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The live view in a real browser: the streaming job (embedded KRaft broker, local Flink, the
 * bundled model, exactly-once Kafka sink) runs with the view attached while the bundled recording
 * is replayed; headless Chromium, driven through chromedriver, shows the page. Checks that the
 * page shows the sensor, that probabilities and frame change as windows arrive, that the decision
 * shown equals the classification the job committed to Kafka for that window, and that the page
 * reconnects to a view that restarted. Saves {@code target/live-view.png}.
 *
 * <p>Needs Debian's {@code chromium} and {@code chromium-driver}; skips, saying so, without them,
 * unless the build requires it: in CI ({@code CI=true}, where {@code .ci/run} installs them) or with
 * {@code -Dspikestream.requireBrowser=true}.
 */
class LiveViewBrowserTest {
    static final String SENSOR = "demo-camera";
    /** Wall-clock bound for the whole run: job start, replay at 4× (about 8 s), commits; generous for a loaded machine. */
    static final Duration BOUND = Duration.ofSeconds(240);

    /** What the page shows of the sensor at one moment. */
    record Seen(long window, String probs, String frameHash, long frameWindow, String decision, String top) {}

    @Test
    void thePageShowsTheSensorFollowsTheWindowsAndShowsTheCommittedDecisions() throws Exception {
        if (!HeadlessChromium.available()) {
            if (Boolean.getBoolean("spikestream.requireBrowser") || "true".equals(System.getenv("CI"))) {
                fail(HeadlessChromium.CHROMIUM + " or " + HeadlessChromium.DRIVER + " is not installed, and this build requires the browser test");
            }
            assumeTrue(false, HeadlessChromium.CHROMIUM + " or " + HeadlessChromium.DRIVER
                    + " is not installed (apt-get install chromium chromium-driver); skipping the browser test");
        }
        URL modelUrl = DemoCommand.class.getClassLoader().getResource(DemoCommand.BUNDLE + DemoCommand.BUNDLED_MODEL);
        URL recordingUrl = DemoCommand.class.getClassLoader().getResource(DemoCommand.BUNDLE + DemoCommand.BUNDLED_RECORDING);
        assumeTrue(modelUrl != null && recordingUrl != null && modelUrl.getProtocol().equals("file"),
                "no bundled model and recording in this build; skipping");
        Path model = Path.of(modelUrl.toURI());
        Path recording = Path.of(recordingUrl.toURI());
        ModelSetup setup = ModelSetup.read(model);

        LocalKafkaBroker kafka = LocalKafkaBroker.shared();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String in = "view-in-" + run;
        String out = "view-out-" + run;
        kafka.createTopic(in, 1);
        kafka.createTopic(out, 1);

        JobConfig config = JobConfig.defaults(setup.framing(), model.toString()).withBatching(4, 10).withQuietFlush(1_000);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(500, CheckpointingMode.EXACTLY_ONCE);
        SpikestreamJob.Streams job = SpikestreamJob.build(
                SpikestreamJob.kafkaInput(env, kafka.bootstrapServers(), in, "view-" + run, OffsetsInitializer.earliest(), config),
                config, MsResNetWindowModel::load);
        job.classifications().sinkTo(SpikestreamJob.classificationSink(kafka.bootstrapServers(), out,
                DeliveryGuarantee.EXACTLY_ONCE, "view-" + run));

        LiveView view = LiveView.start("127.0.0.1", 0, "job");
        JobView.attach(job, view.bind(), view.port(), setup.classNames());
        JobClient client = env.executeAsync("live view browser test");
        Path target = Path.of("target");
        try (HeadlessChromium browser = new HeadlessChromium(target.resolve("chromedriver.log"))) {
            browser.open(view.url());
            AtomicReference<Object> replay = new AtomicReference<>();
            Thread replayer = new Thread(() -> {
                try (EventReader reader = Recordings.open(recording)) {
                    replay.set(Replayer.replay(reader, SENSOR, ReplayOptions.realTime(in).withSpeed(4), kafka.bootstrapServers(), p -> { }));
                } catch (Exception e) {
                    replay.set(e);
                }
            }, "view-test-replay");
            replayer.setDaemon(true);
            replayer.start();

            // watch the page as windows arrive
            List<Seen> seen = new ArrayList<>();
            long deadline = System.nanoTime() + BOUND.toNanos();
            long lastChange = System.nanoTime();
            boolean midShot = false;
            while (true) {
                Seen s = look(browser);
                if (s != null && (seen.isEmpty() || !s.equals(seen.get(seen.size() - 1)))) {
                    seen.add(s);
                    lastChange = System.nanoTime();
                    if (s.window() >= 12 && !midShot) {
                        midShot = true;
                        // mid-recording, mid-gesture: the picture the README shows
                        browser.screenshot(target.resolve("live-view-window-12.png"));
                    }
                }
                if (replay.get() instanceof Exception e) {
                    fail("replay failed: " + e, e);
                }
                // done when the replay has ended, the page shows classifications and has been still for 5 s
                // (the last windows flushed); on a busy machine the job may start long after the replay
                boolean classifiedAny = seen.stream().anyMatch(x -> x.window() >= 0);
                if (replay.get() != null && classifiedAny && System.nanoTime() - lastChange > 5_000_000_000L) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    fail("the page did not settle within " + BOUND + "; seen " + seen.size() + " states; last " + (seen.isEmpty() ? null : seen.get(seen.size() - 1)));
                }
                Thread.sleep(150);
            }
            browser.screenshot(target.resolve("live-view.png"));

            assertEquals(SENSOR, browser.script("return document.querySelector('.sensor .sensor-id').textContent").asText(),
                    "the page shows the sensor");
            List<Seen> classified = seen.stream().filter(s -> s.window() >= 0).toList();
            assertTrue(classified.stream().map(Seen::window).distinct().count() >= 3,
                    "the page followed fewer than 3 windows: " + classified);
            for (int i = 1; i < classified.size(); i++) {
                assertTrue(classified.get(i).window() >= classified.get(i - 1).window(), "windows went backwards: " + classified);
            }
            assertTrue(classified.stream().map(Seen::probs).distinct().count() >= 3, "the probabilities did not change: " + classified);
            assertTrue(seen.stream().map(Seen::frameHash).distinct().count() >= 3, "the frame did not change: " + seen);
            assertTrue(seen.stream().map(Seen::frameWindow).distinct().count() >= 3, "the frame's window did not change: " + seen);

            // the decisions shown equal what the job committed to Kafka for the same windows
            Seen last = classified.get(classified.size() - 1);
            assertEquals(last.window(), last.frameWindow(), "the frame shown is the classified window's");
            Map<Long, Classification> committed = readCommitted(kafka, out, last.window(), deadline);
            Classification c = committed.get(last.window());
            assertNotNull(c, "no committed classification for window " + last.window() + " (committed: " + committed.keySet() + ")");
            assertEquals(c.getSmoothedClassName(), last.decision(), "decision shown for window " + last.window());
            assertEquals(c.getTopClassName(), last.top(), "top class shown for window " + last.window());
            assertEquals(probabilities(c), probabilities(last.probs()), "probabilities shown for window " + last.window());
            JsonNode cells = browser.script("return [...document.querySelectorAll('.sensor .smoothed-row span')]"
                    + ".map(s => [Number(s.dataset.index), s.dataset.name])");
            assertTrue(cells.size() >= 3, "timeline: " + cells);
            for (JsonNode cell : cells) {
                Classification k = committed.get(cell.get(0).asLong());
                assertNotNull(k, "timeline window " + cell.get(0) + " was never committed");
                assertEquals(k.getSmoothedClassName(), cell.get(1).asText(), "timeline decision of window " + cell.get(0));
            }

            // a restarted view process: the page reconnects on its own and shows what the new one pushes
            int port = view.port();
            view.close();
            Thread.sleep(1_500);
            view = LiveView.start("127.0.0.1", port, "job");
            ClassificationResult after = new ClassificationResult();
            after.sensorId = "after-restart";
            after.windowIndex = 0;
            after.windowEndUs = 800_000;
            after.topClassName = "hand_clap";
            after.smoothedClassName = "hand_clap";
            after.probabilities = new float[] {1f};
            after.smoothedProbabilities = new float[] {1f};
            after.logits = new float[] {1f};
            after.layerNames = new String[0];
            after.layerRates = new float[0];
            after.modelId = "restart";
            view.offer(after);
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!browser.script("return document.querySelector('[data-sensor=\"after-restart\"]') !== null").asBoolean()) {
                if (System.nanoTime() > until) {
                    fail("the page did not reconnect to the restarted view within 20 s");
                }
                Thread.sleep(200);
            }
        } finally {
            client.cancel();
            view.close();
        }
    }

    private static Seen look(HeadlessChromium browser) throws Exception {
        JsonNode s = browser.script("""
                const c = document.querySelector('.sensor[data-sensor]');
                if (!c) return null;
                const canvas = c.querySelector('canvas.frame');
                const png = canvas.toDataURL();
                let h = 0;
                for (let i = 0; i < png.length; i++) h = (h * 31 + png.charCodeAt(i)) | 0;
                return {window: c.dataset.window === undefined ? -1 : Number(c.dataset.window), probs: c.dataset.probs || '',
                        frameHash: String(h), frameWindow: canvas.dataset.window === undefined ? -1 : Number(canvas.dataset.window),
                        decision: c.dataset.decision || '', top: c.dataset.top || ''};
                """);
        if (s == null || s.isNull()) {
            return null;
        }
        return new Seen(s.get("window").asLong(), s.get("probs").asText(), s.get("frameHash").asText(),
                s.get("frameWindow").asLong(), s.get("decision").asText(), s.get("top").asText());
    }

    /** The committed probabilities to the 4 decimals the view sends. */
    private static List<Double> probabilities(Classification c) {
        List<Double> p = new ArrayList<>();
        for (float f : c.getProbabilities()) {
            p.add(Math.round(f * 1e4) / 1e4);
        }
        return p;
    }

    /** The probabilities the page holds in its data attribute. */
    private static List<Double> probabilities(String shown) {
        return java.util.Arrays.stream(shown.split(",")).map(Double::valueOf).toList();
    }

    /** Committed classifications of the sensor by window index, read until {@code window} is among them. */
    private static Map<Long, Classification> readCommitted(LocalKafkaBroker kafka, String topic, long window, long deadline) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "view-test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<Long, Classification> byWindow = new HashMap<>();
        try (KafkaConsumer<String, Classification> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ClassificationDeserializer())) {
            consumer.subscribe(List.of(topic));
            while (!byWindow.containsKey(window)) {
                for (ConsumerRecord<String, Classification> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.value().getSensorId().equals(SENSOR)) {
                        byWindow.put(r.value().getWindowIndex(), r.value());
                    }
                }
                if (System.nanoTime() > deadline) {
                    fail("window " + window + " was not committed in time; committed: " + byWindow.keySet());
                }
            }
        }
        return byWindow;
    }
}
