package org.bigarrays.sharding;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.codec.Compression;
import org.bigarrays.kvstore.MemoryStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.junit.jupiter.api.Test;

/**
 * A seeded mutation loop over valid shard files (bit flips, overwritten words, truncation,
 * extension): every read, whole-shard read and listing ends in data or a
 * {@link CorruptChunkException}, never another exception, and within the caps.
 * Run longer with {@code -Dbigarrays.fuzz.iterations=1000000}.
 */
class ShardFileFuzzTest {
    private static final int ITERATIONS = Integer.getInteger("bigarrays.fuzz.iterations", 3000);
    private static final ShardLimits LIMITS = ShardLimits.of(2048, 64).withCacheEntries(0);

    @Test
    void mutatedShardFilesGiveDataOrCorruptChunkException() {
        SplittableRandom rnd = new SplittableRandom(20260315);
        ShardingSpec[] specs = {
            new ShardingSpec(0, ShardingSpec.Hash.IDENTITY, 2, 0, Compression.NONE, Compression.NONE),
            new ShardingSpec(1, ShardingSpec.Hash.MURMURHASH3_X86_128, 1, 0, Compression.GZIP, Compression.GZIP),
            new ShardingSpec(0, ShardingSpec.Hash.IDENTITY, 0, 0, Compression.GZIP, Compression.NONE),
            new ShardingSpec(2, ShardingSpec.Hash.IDENTITY, 1, 0, Compression.NONE, Compression.GZIP),
        };
        List<byte[]> files = new ArrayList<>();
        for (ShardingSpec spec : specs) {
            TreeMap<Long, MemorySegment> chunks = new TreeMap<>();
            for (long id = 0; id < 12; id++) {
                if (rnd.nextInt(4) == 0) continue;
                byte[] v = new byte[1 + rnd.nextInt(200)];
                for (int i = 0; i < v.length; i++) v[i] = (byte) (rnd.nextInt(3) == 0 ? rnd.nextInt() : id);
                chunks.put(id, MemorySegment.ofArray(v));
            }
            files.add(ShardEncoder.encode(spec, chunks).toArray(ValueLayout.JAVA_BYTE));
        }
        List<String> keys = new ArrayList<>();
        for (long id = 0; id < 16; id++) keys.add(ShardedKeyValueStore.key(id));
        int corrupt = 0;
        int data = 0;
        for (int it = 0; it < ITERATIONS; it++) {
            int which = it % specs.length;
            byte[] f = mutate(files.get(which), rnd);
            MemoryStore mem = new MemoryStore("mem://fuzz/");
            mem.write("0.shard", MemorySegment.ofArray(f));
            ShardedKeyValueStore store = new ShardedKeyValueStore(mem, specs[which], "", LIMITS);
            String what = "iteration " + it + " (spec " + which + ", " + f.length + " bytes)";
            try {
                List<ReadResult> rs = store.readMany(keys, ReadOptions.ALL);
                for (ReadResult r : rs) assertTrue(!r.found() || r.bytes().byteSize() <= LIMITS.maxChunkBytes(), what);
                data++;
            } catch (CorruptChunkException e) {
                corrupt++;
            } catch (RuntimeException | Error e) {
                throw new AssertionError(what + ": readMany threw " + e, e);
            }
            for (int k = 0; k < 2; k++) {
                try {
                    if (k == 0) {
                        store.readShard(0);
                    } else {
                        store.list("");
                    }
                } catch (CorruptChunkException e) {
                    // expected for most mutations
                } catch (RuntimeException | Error e) {
                    throw new AssertionError(what + ": " + (k == 0 ? "readShard" : "list") + " threw " + e, e);
                }
            }
        }
        // The loop must exercise both outcomes, or it is not fuzzing anything.
        assertTrue(corrupt > ITERATIONS / 20 && data > ITERATIONS / 20, "corrupt " + corrupt + ", data " + data);
    }

    private static byte[] mutate(byte[] original, SplittableRandom rnd) {
        byte[] f = original.clone();
        int steps = 1 + rnd.nextInt(3);
        for (int s = 0; s < steps; s++) {
            switch (rnd.nextInt(5)) {
                case 0, 1 -> { // bit flips
                    if (f.length == 0) break;
                    for (int i = 1 + rnd.nextInt(4); i > 0; i--) f[rnd.nextInt(f.length)] ^= (byte) (1 << rnd.nextInt(8));
                }
                case 2 -> { // a little-endian word overwritten (index fields are words)
                    if (f.length < 8) break;
                    long v = switch (rnd.nextInt(4)) {
                        case 0 -> rnd.nextLong();
                        case 1 -> rnd.nextInt(256);
                        case 2 -> -1L - rnd.nextInt(4);
                        default -> (long) f.length + rnd.nextInt(64) - 32;
                    };
                    int at = rnd.nextInt(f.length - 7) & ~(rnd.nextBoolean() ? 7 : 0);
                    MemorySegment.ofArray(f).set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at, v);
                }
                case 3 -> f = Arrays.copyOf(f, rnd.nextInt(f.length + 1)); // truncation
                default -> { // extension with random bytes
                    int n = f.length;
                    f = Arrays.copyOf(f, n + 1 + rnd.nextInt(64));
                    for (int i = n; i < f.length; i++) f[i] = (byte) rnd.nextInt();
                }
            }
        }
        return f;
    }
}
