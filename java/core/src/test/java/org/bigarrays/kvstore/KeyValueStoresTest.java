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

    /** Every accepted spelling of the same local directory gives one canonical URI. */
    @Test
    void everyLocalFormParsesToOneCanonicalUri() throws Exception {
        Path layer = dir.resolve("L");
        java.nio.file.Files.createDirectories(layer);
        String abs = layer.toAbsolutePath().toString();
        java.net.URI expected = java.net.URI.create("file://" + abs + "/");
        String relative = Path.of("").toAbsolutePath().relativize(layer.toAbsolutePath()).toString();
        for (String form : java.util.List.of(abs, abs + "/", relative, relative + "/", dir + "/./x/../L",
                "file://" + abs, "file://" + abs + "/", "file://localhost" + abs, "file:" + abs, "file:" + abs + "/",
                "precomputed://file://" + abs, "precomputed://file://" + abs + "/", "PRECOMPUTED://" + abs,
                "file://" + abs + "/|neuroglancer-precomputed:", "  file://" + abs + "  ")) {
            assertEquals(expected, KeyValueStores.toUri(form), form);
            assertEquals(layer.toAbsolutePath(), ((FileStore) KeyValueStores.open(form)).root(), form);
        }
        // A path that does not exist yet (create, ingest) gets the same form; spaces are escaped once.
        Path spaced = dir.resolve("a b/new");
        java.net.URI s = KeyValueStores.toUri(spaced.toString());
        assertEquals("file://" + dir.toAbsolutePath() + "/a%20b/new/", s.toString());
        assertEquals(s, KeyValueStores.toUri("file://" + dir.toAbsolutePath() + "/a%20b/new"));
        assertEquals(s, KeyValueStores.toUri("precomputed://" + s));
        // Store settings in the query are kept.
        assertEquals("file://" + abs + "/?fsync=false", KeyValueStores.toUri("file://" + abs + "?fsync=false").toString());
    }

    @Test
    void remoteFormsKeepBucketPathAndQuery() {
        String[][] cases = {
                {"s3://bucket/a/b", "s3://bucket/a/b/"},
                {"s3://bucket", "s3://bucket/"},
                {"S3://bucket/a/", "s3://bucket/a/"},
                {"precomputed://s3://bucket/a/b", "s3://bucket/a/b/"},
                {"s3://bucket/a?endpoint=http://127.0.0.1:9000&region=us-east-1", "s3://bucket/a/?endpoint=http://127.0.0.1:9000&region=us-east-1"},
                {"gs://bucket/x", "gs://bucket/x/"},
                {"precomputed://gs://bucket/x", "gs://bucket/x/"},
                {"gs://bucket/x/|neuroglancer-precomputed:", "gs://bucket/x/"},
                {"http://127.0.0.1:8080/em", "http://127.0.0.1:8080/em/"},
                {"precomputed://https://host.example/data/em/", "https://host.example/data/em/"},
                {"mem://name/p", "mem://name/p/"},
                {"precomputed://mem://name", "mem://name/"},
        };
        for (String[] c : cases) {
            java.net.URI u = KeyValueStores.toUri(c[0]);
            assertEquals(c[1], u.toString(), c[0]);
        }
    }

    /** The library reopens layers from the URIs it made: parsing its own output changes nothing. */
    @Test
    void canonicalUrisRoundTrip() {
        for (String form : java.util.List.of(dir.toString(), "rel/x", "file://" + dir, "file:" + dir, "mem://n/p", "s3://b/p?endpoint=http://h:1",
                "gs://b", "https://h/p", "precomputed://gs://b/x")) {
            java.net.URI u = KeyValueStores.toUri(form);
            assertTrue(u.toString().startsWith(u.getScheme() + "://"), u.toString());
            assertTrue(u.getRawPath().endsWith("/"), u.toString());
            assertEquals(u, KeyValueStores.toUri(u.toString()), form);
            assertEquals(u, KeyValueStores.toUri(u), form);
            assertEquals(u, KeyValueStores.toUri(KeyValueStores.withTrailingSlash(u).toString()), form);
            // A sub-store's URI (a scale) is canonical too, and keeps the query.
            java.net.URI scale = KeyValueStores.resolve(u, "8_8_8/");
            assertEquals(scale, KeyValueStores.toUri(scale.toString()), form);
            assertEquals(u.getRawQuery(), scale.getRawQuery());
        }
        assertEquals("file://" + dir.toAbsolutePath() + "/8_8_8/", KeyValueStores.resolve(KeyValueStores.toUri(dir.toString()), "8_8_8/").toString());
    }

    @Test
    void badUrlsAreOneLineErrorsNamingTheUrlAndTheForms() {
        for (String bad : java.util.List.of("file://data/em", "file:relative/dir", "s3://", "s3:bucket/x", "gs:///x", "http:///x",
                "precomputed://", "precomputed:gs://b", "https://h/x#frag", "s3://bucket/a b")) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> KeyValueStores.toUri(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            assertTrue(e.getMessage().contains(KeyValueStores.ACCEPTED_FORMS), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> KeyValueStores.open("ftp://h/k"));
        assertTrue(e.getMessage().contains("ftp") && e.getMessage().contains(KeyValueStores.ACCEPTED_FORMS), e.getMessage());
    }
}
