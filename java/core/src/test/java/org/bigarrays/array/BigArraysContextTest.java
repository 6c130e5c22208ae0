package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;

/** One context: siblings share it and its per-scale chunk stores; only its owner closes it. */
class BigArraysContextTest {
    private static final AtomicInteger N = new AtomicInteger();

    /** Counts opens and closes per URL. */
    private static final class Counter {
        final Map<String, AtomicInteger> opened = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> closed = new ConcurrentHashMap<>();

        KeyValueStore open(URI uri) {
            opened.computeIfAbsent(uri.toString(), u -> new AtomicInteger()).incrementAndGet();
            return new ForwardingStore(KeyValueStores.open(uri)) {
                @Override
                public void close() {
                    closed.computeIfAbsent(uri.toString(), u -> new AtomicInteger()).incrementAndGet();
                    super.close();
                }
            };
        }

        int total(Map<String, AtomicInteger> m) {
            return m.values().stream().mapToInt(AtomicInteger::get).sum();
        }
    }

    private static String layer() {
        String url = "mem://ctx-" + N.incrementAndGet() + "/layer";
        try (BigArray a = BigArray.create(url, Info.builder(DataType.UINT8, new long[] {16, 16, 16}, new long[] {8, 8, 8}).mips(2).build())) {
            a.write(a.read(a.bounds()));
        }
        return url;
    }

    @Test
    void siblingsShareTheContextAndTheirScalesChunkStores() {
        String url = layer();
        Counter c = new Counter();
        try (BigArraysContext ctx = BigArraysContext.withStoreOpener(c::open)) {
            BigArray a = BigArray.open(url, Options.defaults(), ctx);
            BigArray m1 = a.mip(1);
            BigArray o = a.withOptions(Options.defaults().withStrict(true));
            assertSame(ctx, m1.context());
            assertSame(a.chunks(), o.chunks(), "withOptions reuses the scale's chunk store");
            assertSame(m1.chunks(), a.mip(1).chunks(), "mip(1) twice: one chunk store");
            assertSame(a.chunks(), m1.mip(0).chunks());
            for (int i = 0; i < 5; i++) {
                a.mip(1).read(Box.parse("0,0,0:8,8,8"));
                a.withOptions(Options.defaults().withFillValue(i)).read(Box.parse("0,0,0:16,16,16"));
            }
            // One store per URL (layer root, scale 0, scale 1), each opened once.
            assertEquals(3, c.opened.size(), c.opened.toString());
            c.opened.forEach((u, n) -> assertEquals(1, n.get(), u));
            m1.close();
            o.close();
            a.close();
            assertEquals(0, c.total(c.closed), "closing arrays that share a caller's context closes nothing");
            a.mip(1).read(Box.parse("0,0,0:8,8,8")); // still usable
        }
        assertEquals(3, c.total(c.closed), "closing the context closes each store it opened once");
        c.closed.forEach((u, n) -> assertEquals(1, n.get(), u));
    }

    @Test
    void anArrayOwnsTheContextItCreated() {
        String url = layer();
        BigArray a = BigArray.open(url);
        BigArray sibling = a.mip(1);
        sibling.close();
        sibling.read(Box.parse("0,0,0:8,8,8")); // the sibling's close left the owner's context open
        a.close();
        assertThrows(IllegalStateException.class, () -> a.mip(1), "the owner's close closed the context");
    }
}
