package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.bigarrays.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The URL factory: schemes, plain paths, and clear errors for the rest. */
class KeyValueStoresTest {
    @TempDir
    Path dir;

    @Test
    void plainPathsAndFileUrlsOpenFileStores() {
        KeyValueStore a = KeyValueStores.open(dir.toString());
        KeyValueStore b = KeyValueStores.open("file://" + dir);
        assertTrue(a instanceof FileStore && b instanceof FileStore);
        assertEquals(((FileStore) a).root(), ((FileStore) b).root());
        assertEquals(dir.toAbsolutePath().normalize(), ((FileStore) KeyValueStores.open("file://localhost" + dir)).root());
        assertTrue(KeyValueStores.toUri("relative/dir").toString().startsWith("file:/"));
        assertTrue(KeyValueStores.toUri("relative/dir").toString().endsWith("/relative/dir/"));
    }

    @Test
    void fileUrlsWithAHostAreRejected() {
        // "file://data/em" looks like a relative path but names host "data": refuse, do not use /em.
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> KeyValueStores.open("file://data/em"));
        assertTrue(e.getMessage().contains("file://data/em") && e.getMessage().contains("data"), e.getMessage());
    }

    @Test
    void memoryUrlsShareNamedStores() {
        KeyValueStore a = KeyValueStores.open("mem://kvs-test/a");
        a.write("k", java.lang.foreign.MemorySegment.ofArray(new byte[] {1}));
        assertTrue(KeyValueStores.open("mem://kvs-test/a/").exists("k"));
        assertTrue(KeyValueStores.open("mem://kvs-test").exists("a/k"));
        KeyValueStores.dropMemory("kvs-test");
        assertEquals(java.util.List.of(), KeyValueStores.open("mem://kvs-test").list(""));
    }

    @Test
    void unknownSchemesAreInvalidInput() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> KeyValueStores.open("ftp://h/k"));
        assertTrue(e.getMessage().contains("ftp"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> KeyValueStores.open(""));
        assertThrows(InvalidInputException.class, () -> KeyValueStores.open("   "));
    }
}
