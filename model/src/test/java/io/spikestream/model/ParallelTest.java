package io.spikestream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How forward passes share the process's compute threads: one pass alone may use all of them;
 * once the cores are shared between slots, each pass gets its share and that many run at once.
 */
class ParallelTest {

    @Test
    void sharedCoresGiveEachPassItsShareAndLetThatManyPassesRunAtOnce() throws Exception {
        assumeTrue(Parallel.THREADS >= 2, "needs at least two compute threads, this process has " + Parallel.THREADS);
        ExecutorService slots = Executors.newFixedThreadPool(2);
        try {
            Parallel.shareBetween(Parallel.THREADS);
            assertEquals(1, Parallel.threadsPerPass());
            assertEquals(1, Parallel.width(), "a loop in a pass is not split any more");
            assertEquals(Parallel.THREADS, Parallel.concurrentPasses());
            assertEquals(1, Parallel.parts(1L << 30, 64));

            // two passes inside at the same time: each waits for the other to enter
            CountDownLatch both = new CountDownLatch(2);
            Future<Boolean> one = slots.submit(() -> Parallel.pass(() -> meet(both)));
            Future<Boolean> two = slots.submit(() -> Parallel.pass(() -> meet(both)));
            assertTrue(one.get(20, TimeUnit.SECONDS) && two.get(20, TimeUnit.SECONDS), "both passes ran at once");
        } finally {
            Parallel.shareBetween(1);
            slots.shutdownNow();
        }
        assertEquals(Parallel.THREADS, Parallel.threadsPerPass(), "one slot: the pass has every thread again");
        assertEquals(Math.min(Parallel.PARTS, Parallel.THREADS), Parallel.width());
        assertEquals(1, Parallel.concurrentPasses());
    }

    private static boolean meet(CountDownLatch both) {
        both.countDown();
        try {
            return both.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
