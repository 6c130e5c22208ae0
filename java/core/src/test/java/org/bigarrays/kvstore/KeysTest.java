package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.bigarrays.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one key validator: hostile forms rejected everywhere, valid keys stay inside their root however they are used. */
class KeysTest {
    static final List<String> HOSTILE = HostileKeys.ALL;

    @Test
    void hostileKeysAreRejectedNamingTheKey() {
        for (String k : HOSTILE) {
            assertFalse(Keys.isValid(k), k);
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Keys.check(k), k);
            assertTrue(e.getMessage().contains("'" + Keys.printable(k) + "'"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "4_4_40", "a/b/c", "a.b/..c/x..", "0-64_0-64_0-64", "0-64_0-64_0-64.gz", "prefix/0.shard", "b/c:d", ".tmp-x", "...", "-x", "x y"})
    void ordinaryKeysAreValid(String k) {
        assertEquals(k, Keys.check(k));
    }

    @Test
    void everyStoreOperationRejectsHostileKeysBeforeTouchingAnything(@TempDir Path tmp) throws Exception {
        Path root = tmp.resolve("d1/d2/root");
        Files.createDirectories(root);
        KeyValueStore[] stores = {new FileStore(root, false), new MemoryStore("mem://keys-test/")};
        for (KeyValueStore s : stores) {
            for (String k : HOSTILE) {
                assertThrows(InvalidInputException.class, () -> s.write(k, MemorySegment.ofArray(new byte[] {1})), k);
                assertThrows(InvalidInputException.class, () -> s.read(k), k);
                assertThrows(InvalidInputException.class, () -> s.exists(k), k);
                assertThrows(InvalidInputException.class, () -> s.delete(k), k);
            }
        }
        try (Stream<Path> all = Files.walk(tmp)) {
            assertEquals(List.of(tmp, tmp.resolve("d1"), tmp.resolve("d1/d2"), root), all.sorted().toList(), "nothing was written");
        }
    }

    @Provide
    Arbitrary<String> keyish() {
        // Strings built from the characters that matter for traversal, so that hostile shapes are common.
        return Arbitraries.of("a", "b", ".", "..", "/", "\\", "%", "2e", "2f", ":", "s3", "//", "?", "#", "~", "\u0000")
                .list().ofMinSize(1).ofMaxSize(8).map(l -> String.join("", l));
    }

    /** Reference model: a valid key, used as a path or a URL below a root, never leaves the root. */
    @Property(tries = 3000)
    void validKeysStayInsideTheRoot(@ForAll("keyish") String key) {
        if (!Keys.isValid(key)) return;
        Path root = Path.of("/layer/root");
        assertTrue(root.resolve(key).normalize().startsWith(root), key);
        URI base = URI.create("https://host/layer/root/");
        URI r = base.resolve(key); // as Neuroglancer resolves a scale key
        assertEquals("https", r.getScheme(), key);
        assertEquals("host", r.getAuthority(), key);
        assertTrue(r.normalize().getPath().startsWith("/layer/root/"), key + " -> " + r);
        assertEquals(null, r.getRawQuery(), key);
        assertEquals(null, r.getRawFragment(), key);
        assertFalse(r.getRawPath().contains("%"), key);
    }

    @Test
    void listablePrefixes() {
        assertTrue(Keys.isListablePrefix(""));
        assertTrue(Keys.isListablePrefix("a/b"));
        assertTrue(Keys.isListablePrefix("a/"));
        assertFalse(Keys.isListablePrefix("../"));
        assertFalse(Keys.isListablePrefix("/x"));
        assertFalse(Keys.isListablePrefix("%2e%2e/"));
        assertFalse(Keys.isListablePrefix("s3://x/"));
    }
}
