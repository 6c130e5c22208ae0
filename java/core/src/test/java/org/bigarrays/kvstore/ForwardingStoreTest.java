package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The store contract through a plain {@link ForwardingStore}, and a check that it forwards every method it should. */
class ForwardingStoreTest extends KeyValueStoreContract {
    private String name;

    @Override
    protected KeyValueStore newStore() {
        name = "forwarding-" + UUID.randomUUID();
        return new ForwardingStore(KeyValueStores.open("mem://" + name));
    }

    @AfterEach
    void drop() {
        KeyValueStores.dropMemory(name);
    }

    @Override
    protected boolean leasesBuffers() {
        return false; // a memory store's reads are views of the stored arrays
    }

    private static String signature(Method m) {
        return m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName).collect(Collectors.joining(",", "(", ")"));
    }

    /** A method added to KeyValueStore later must be forwarded (or named derived on purpose): else wrappers drift from their base, as local() once did. */
    @Test
    void everyStoreMethodIsForwardedOrDerivedOnPurpose() {
        List<String> missing = new ArrayList<>();
        for (Method m : KeyValueStore.class.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) continue;
            String sig = signature(m);
            boolean declared;
            try {
                ForwardingStore.class.getDeclaredMethod(m.getName(), m.getParameterTypes());
                declared = true;
            } catch (NoSuchMethodException e) {
                declared = false;
            }
            if (declared == ForwardingStore.DERIVED.contains(sig)) missing.add(sig + (declared ? " (forwarded, but listed as derived)" : ""));
        }
        assertEquals(List.of(), missing, "KeyValueStore methods ForwardingStore neither forwards nor lists in DERIVED");
    }

    /** Capabilities and close come from the base, whatever they are. */
    @Test
    void capabilitiesAndCloseAreTheBasesOwn() {
        AtomicInteger closed = new AtomicInteger();
        KeyValueStore mem = KeyValueStores.open("mem://" + name);
        for (boolean flag : new boolean[] {false, true}) {
            KeyValueStore base = new ForwardingStore(mem) {
                @Override
                public boolean local() {
                    return flag;
                }

                @Override
                public boolean listable() {
                    return flag;
                }

                @Override
                public boolean writable() {
                    return flag;
                }

                @Override
                public boolean conditionalWrites() {
                    return !flag;
                }

                @Override
                public String uri() {
                    return "test://" + flag;
                }

                @Override
                public void close() {
                    closed.incrementAndGet();
                }
            };
            ForwardingStore wrapper = new ForwardingStore(base);
            assertEquals(List.of(flag, flag, flag, !flag, "test://" + flag),
                    List.of(wrapper.local(), wrapper.listable(), wrapper.writable(), wrapper.conditionalWrites(), wrapper.uri()));
            wrapper.close();
        }
        assertEquals(2, closed.get(), "close reaches the base");
    }

    /** The derived operations go through the wrapper's own read, so an override of read sees them all. */
    @Test
    void derivedReadsPassThroughTheWrappersRead() {
        AtomicInteger reads = new AtomicInteger();
        KeyValueStore counting = new ForwardingStore(KeyValueStores.open("mem://" + name)) {
            @Override
            public ReadResult read(String key, ReadOptions options) {
                reads.incrementAndGet();
                return super.read(key, options);
            }
        };
        counting.write("k", bytes("value"));
        counting.read("k").close();
        counting.read("k", ByteRange.of(0, 2)).close();
        counting.readMany(List.of("k", "absent"), ReadOptions.ALL).forEach(ReadResult::close);
        assertTrue(counting.exists("k"));
        assertEquals(5, reads.get());
    }
}
