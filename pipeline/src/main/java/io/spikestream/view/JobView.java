package io.spikestream.view;

import io.spikestream.pipeline.job.FramedWindow;
import io.spikestream.pipeline.job.SpikestreamJob;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Attaches the live view to a built job: it only reads the job's {@code windows()} (reduced to
 * {@link FrameHeat}s next to the framing) and {@code classifications()} streams and ends them in
 * {@link ViewSink}s of parallelism 1. Nothing of the job changes; without this call the job has
 * no view operators at all.
 */
public final class JobView {
    private JobView() {
    }

    /**
     * @param bind address of the view's server where the sinks run
     * @param port its port there (the port of a view this JVM already started, or one to start)
     * @param classNames the model's class names in output order
     */
    public static void attach(SpikestreamJob.Streams streams, String bind, int port, List<String> classNames) {
        streams.windows().map(new Heat()).name("view: frame heat").uid("view-frame-heat")
                .sinkTo(new ViewSink<>(bind, port, classNames)).name("view: frames").uid("view-frames-sink")
                .setParallelism(1);
        if (streams.classifications() != null) {
            streams.classifications().sinkTo(new ViewSink<>(bind, port, classNames)).name("view: classifications")
                    .uid("view-classifications-sink").setParallelism(1);
        }
    }

    /** Window → heat map, chained to the framing so that only the small map travels to the view's sink. */
    static final class Heat implements MapFunction<FramedWindow, FrameHeat> {
        private static final long serialVersionUID = 1L;

        @Override
        public FrameHeat map(FramedWindow w) {
            return FrameHeat.of(w);
        }
    }
}
