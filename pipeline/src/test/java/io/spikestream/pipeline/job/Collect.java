package io.spikestream.pipeline.job;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.util.CloseableIterator;

/**
 * Reads an unbounded job's collected output with a bound: {@code hasNext()} of Flink's collect
 * iterator blocks until a result arrives, so a job that emits too little would hang the build.
 */
final class Collect {
    private Collect() {
    }

    /** The first {@code n} elements, or fewer when {@code timeoutMs} passes first. */
    static <T> List<T> upTo(CloseableIterator<T> it, int n, long timeoutMs) throws InterruptedException {
        LinkedBlockingQueue<T> queue = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try {
                while (it.hasNext()) {
                    queue.add(it.next());
                }
            } catch (RuntimeException e) {
                // the job was cancelled: the caller has what it needs or fails on the count
            }
        }, "collect-reader");
        reader.setDaemon(true);
        reader.start();
        List<T> out = new ArrayList<>();
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (out.size() < n) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                break;
            }
            T t = queue.poll(left, TimeUnit.MILLISECONDS);
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }
}
