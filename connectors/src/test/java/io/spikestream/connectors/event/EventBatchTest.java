package io.spikestream.connectors.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EventBatchTest {

    @Test
    void growsBeyondItsInitialCapacityKeepingEveryEvent() {
        EventBatch b = new EventBatch(2);
        for (int i = 0; i < 1000; i++) {
            b.add(10L * i, i % 128, (i * 7) % 128, i & 1);
        }
        assertEquals(1000, b.size());
        assertEquals(9990L, b.t(999));
        assertEquals(999 % 128, b.x(999));
        assertEquals((999 * 7) % 128, b.y(999));
        assertEquals(1, b.p(999));
    }

    @Test
    void copiesCompareEqualAndDifferAfterAChange() {
        EventBatch a = new EventBatch();
        a.add(1, 2, 3, 1);
        a.add(5, 6, 7, 0);
        EventBatch c = a.copy();
        assertTrue(a.sameEvents(c));
        c.add(9, 9, 9, 1);
        assertFalse(a.sameEvents(c));
    }
}
