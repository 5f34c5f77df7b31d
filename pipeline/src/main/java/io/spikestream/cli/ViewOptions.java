package io.spikestream.cli;

import io.spikestream.model.ModelFile;
import io.spikestream.pipeline.job.MsResNetWindowModel;
import io.spikestream.pipeline.job.SpikestreamJob;
import io.spikestream.view.JobView;
import io.spikestream.view.LiveView;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Option;

/** {@code --ui-port} and {@code --ui-bind}: the live view of demo, run and watch (package {@code io.spikestream.view}). */
public final class ViewOptions {
    @Option(names = "--ui-port", paramLabel = "PORT", description = "serve the live view on this port, 0 = a free one")
    Integer port;

    @Option(names = "--ui-bind", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "address the live view listens on (default: ${DEFAULT-VALUE}; 0.0.0.0 opens it to the network)")
    String bind;

    /** The class names of a model file, for the view's bars. */
    static List<String> classNames(String modelPath) throws IOException {
        return MsResNetWindowModel.classNames(ModelFile.read(Path.of(modelPath)));
    }

    /** The port asked for, else {@code fallback} (null: no view). */
    Integer port(Integer fallback) {
        Integer p = port != null ? port : fallback;
        if (p != null && (p < 0 || p > 65535)) {
            throw new IllegalArgumentException("--ui-port must be in [0, 65535], got " + p);
        }
        return p;
    }

    /** Starts the view in this process when one is asked for (or {@code fallback} is a port) and prints its URL. */
    LiveView start(PrintWriter out, String source, List<String> classNames, Integer fallback) throws IOException {
        Integer p = port(fallback);
        if (p == null) {
            return null;
        }
        LiveView view = LiveView.start(bind, p, source);
        view.classNames(classNames);
        out.println("live view: " + view.url());
        out.flush();
        return view;
    }

    /**
     * Attaches the view to a built job when one is asked for. On a local Flink the view starts here
     * (and its URL is printed); submitted to a cluster it starts in the TaskManager that runs the
     * view's sinks, on {@code --ui-bind}:{@code --ui-port} of that machine (its log names the URL).
     *
     * @return the view started here, or null
     */
    LiveView attach(SpikestreamJob.Streams streams, StreamExecutionEnvironment env, List<String> classNames,
                    PrintWriter out, Integer fallback) throws IOException {
        Integer p = port(fallback);
        if (p == null) {
            return null;
        }
        if (env instanceof LocalStreamEnvironment) {
            LiveView view = start(out, "job", classNames, p);
            JobView.attach(streams, view.bind(), view.port(), classNames);
            return view;
        }
        JobView.attach(streams, bind, p, classNames);
        out.println("live view: in the TaskManager that runs the view's sinks, on " + bind + ":" + p
                + " of that machine (see its log for the URL)");
        out.flush();
        return null;
    }
}
