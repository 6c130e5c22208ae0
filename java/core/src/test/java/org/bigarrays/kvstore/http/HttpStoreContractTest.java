package org.bigarrays.kvstore.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.bigarrays.InvalidInputException;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadOnlyStoreContract;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read side of the store contract on http(s), against a static server with ETags and preconditions. */
class HttpStoreContractTest extends ReadOnlyStoreContract {
    private static final AtomicInteger N = new AtomicInteger();
    @TempDir
    static Path served;
    private static StaticHttpServer server;
    private Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = new StaticHttpServer(served, false);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Override
    protected KeyValueStore newStore() throws Exception {
        String run = "run" + N.incrementAndGet();
        dir = Files.createDirectories(served.resolve(run));
        KeyValueStore s = KeyValueStores.open(server.url(run + "/"));
        assertInstanceOf(HttpStore.class, s);
        return s;
    }

    @Override
    protected void seed(String key, byte[] value) throws Exception {
        Path p = dir.resolve(key);
        Files.createDirectories(p.getParent());
        Path tmp = p.resolveSibling(p.getFileName() + ".part");
        Files.write(tmp, value);
        Files.move(tmp, p, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void isReadOnlyAndSaysSo() {
        assertFalse(store.writable());
        assertFalse(store.conditionalWrites());
        assertThrows(InvalidInputException.class, () -> store.write("k", bytes("v")));
        assertThrows(InvalidInputException.class, () -> store.write("k", bytes("v"), WriteOptions.ifMissing()));
        assertThrows(InvalidInputException.class, () -> store.delete("k"));
    }

    @Test
    void conditionsTravelAsPreconditionsTheServerAnswers() throws Exception {
        seed("c", utf8("value"));
        String g = store.read("c").generation();
        long before = server.preconditionAnswers.get();
        assertEquals(ReadResult.State.CONDITION_NOT_MET, store.read("c", ReadOptions.ALL.withIfNotEqual(g)).state());
        assertEquals(ReadResult.State.CONDITION_NOT_MET, store.read("c", ReadOptions.ALL.withIfEqual("\"other\"")).state());
        assertEquals(ReadResult.State.CONDITION_NOT_MET, store.read("absent", ReadOptions.ALL.withIfNotEqual("")).state());
        assertEquals(before + 3, server.preconditionAnswers.get(), "the server, not the client, refused each read");
    }
}
