package org.bigarrays.kvstore.gcs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.bigarrays.StorageException;
import org.bigarrays.array.BigArray;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadOptions;
import org.junit.jupiter.api.Test;

/** Issue 15.3 for gs://: a bucket that does not exist is an error naming it, never "missing". */
class GcsBucketTest {
    @Test
    void aMissingBucketIsAnErrorNeverAMissingKey() throws Exception {
        try (FakeGcsServer server = new FakeGcsServer("exists")) {
            String url = "gs://no-such-bucket/layer?endpoint=" + server.endpoint();
            KeyValueStore s = KeyValueStores.open(url);
            for (org.junit.jupiter.api.function.Executable op : List.<org.junit.jupiter.api.function.Executable>of(
                    () -> s.read("info"), () -> s.read("k", ByteRange.of(0, 10)), () -> s.read("k", ByteRange.of(3, 3)),
                    () -> s.exists("info"), () -> s.list(""), () -> s.delete("k"), () -> s.write("k", MemorySegment.ofArray(new byte[1])),
                    () -> s.readMany(List.of("a", "b"), ReadOptions.ALL))) {
                StorageException e = assertThrows(StorageException.class, op);
                assertTrue(e.getMessage().contains("bucket 'no-such-bucket' does not exist"), e.getMessage());
            }
            StorageException open = assertThrows(StorageException.class, () -> BigArray.open(url));
            assertTrue(open.getMessage().contains("does not exist") && !open.getMessage().contains("no precomputed layer"), open.getMessage());
            KeyValueStore ok = KeyValueStores.open("gs://exists/layer?endpoint=" + server.endpoint());
            assertFalse(ok.read("info").found());
            assertFalse(ok.exists("info"));
        }
    }
}
