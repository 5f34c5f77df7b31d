package io.spikestream.view;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job's end of the seam: a Flink sink that hands each record to the {@link LiveView} of its
 * JVM ({@link LiveView#obtain}) without blocking. A view that cannot start (its port taken) is
 * logged and the records are dropped: the view never fails or slows the job.
 */
public final class ViewSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ViewSink.class);
    private final String bind;
    private final int port;
    private final ArrayList<String> classNames;

    public ViewSink(String bind, int port, List<String> classNames) {
        this.bind = bind;
        this.port = port;
        this.classNames = classNames == null ? new ArrayList<>() : new ArrayList<>(classNames);
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        LiveView view;
        try {
            view = LiveView.obtain(bind, port);
            view.classNames(classNames);
            LOG.info("spikestream live view: {}", view.url());
        } catch (IOException | RuntimeException e) {
            LOG.warn("spikestream live view cannot start on {}:{} ({}); the job runs on without it", bind, port, e.toString());
            view = null;
        }
        LiveView target = view;
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                if (target != null) {
                    target.offer(element);
                }
            }

            @Override
            public void flush(boolean endOfInput) {
                // nothing buffered here: the view's inbox is its own
            }

            @Override
            public void close() {
                // the view outlives the job's tasks, so that a restarted job feeds the same page
            }
        };
    }
}
