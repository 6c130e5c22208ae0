package org.bigarrays.kvstore.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.array.Options;
import org.bigarrays.kvstore.ArrayRoundTrip;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.remote.FaultProxy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The read-only http(s) store against a local static server over a precomputed directory. */
class HttpStoreTest {
    @TempDir
    static Path dir;
    static ArrayRoundTrip rt;
    static byte[] blob;

    @BeforeAll
    static void writeLayer() throws Exception {
        rt = new ArrayRoundTrip(new long[] {150, 130, 70}, 9);
        rt.createAndWrite(dir.resolve("layer").toUri().toString(), 64, Options.defaults()).close();
        blob = new byte[10_000];
        new java.util.Random(3).nextBytes(blob);
        Files.write(dir.resolve("blob"), blob);
    }

    @ParameterizedTest(name = "gzip Content-Encoding {0}")
    @ValueSource(booleans = {false, true})
    void cutoutsOverHttpAreExact(boolean gzip) throws Exception {
        try (StaticHttpServer server = new StaticHttpServer(dir, gzip); BigArray a = BigArray.open(server.url("layer"))) {
            for (Box b : rt.boxes()) rt.assertReads(a, b);
            assertTrue(gzip == (server.gzipAnswers.get() > 0), "gzip answers: " + server.gzipAnswers.get());
        }
    }

    @ParameterizedTest(name = "gzip Content-Encoding {0}")
    @ValueSource(booleans = {false, true})
    void rangesSuffixesAndMissingKeys(boolean gzip) throws Exception {
        try (StaticHttpServer server = new StaticHttpServer(dir, gzip)) {
            KeyValueStore s = KeyValueStores.open(server.url(""));
            assertArrayEquals(blob, s.read("blob").toByteArray());
            assertArrayEquals(Arrays.copyOfRange(blob, 100, 300), s.read("blob", ByteRange.of(100, 300)).toByteArray());
            assertArrayEquals(Arrays.copyOfRange(blob, 9_900, 10_000), s.read("blob", ByteRange.suffix(100)).toByteArray());
            assertArrayEquals(Arrays.copyOfRange(blob, 9_000, 10_000), s.read("blob", ByteRange.of(9_000, 50_000)).toByteArray());
            assertArrayEquals(new byte[0], s.read("blob", ByteRange.of(20_000, 30_000)).toByteArray());
            assertTrue(server.rangeAnswers.get() >= 3);
            assertSame(ReadResult.MISSING, s.read("layer/absent"));
            assertSame(ReadResult.MISSING, s.read("absent", ByteRange.of(0, 4)));
            assertTrue(s.exists("blob"));
            assertFalse(s.exists("nope"));
        }
    }

    @Test
    void writesDeletesAndListingAreClearErrors() {
        KeyValueStore s = KeyValueStores.open("https://example.invalid/data/");
        var w = assertThrows(InvalidInputException.class, () -> s.write("k", MemorySegment.ofArray(new byte[1])));
        assertTrue(w.getMessage().contains("read-only"), w.getMessage());
        assertThrows(InvalidInputException.class, () -> s.delete("k"));
        var l = assertThrows(InvalidInputException.class, () -> s.list(""));
        assertTrue(l.getMessage().contains("listing"), l.getMessage());
    }

    @Test
    void readsSurviveInjectedFaults() throws Exception {
        try (StaticHttpServer server = new StaticHttpServer(dir, true);
             FaultProxy proxy = new FaultProxy(server.port(), 0.3,
                     List.of(FaultProxy.Fault.DROP_BEFORE, FaultProxy.Fault.STATUS_503, FaultProxy.Fault.STATUS_429, FaultProxy.Fault.TRUNCATE),
                     Duration.ZERO, 4)) {
            String url = proxy.endpoint() + "/layer?attempts=10&backoffMs=5";
            try (BigArray a = BigArray.open(url)) {
                for (Box b : rt.boxes()) rt.assertReads(a, b);
            }
            assertTrue(proxy.faultsInjected() > 0);
        }
    }
}
