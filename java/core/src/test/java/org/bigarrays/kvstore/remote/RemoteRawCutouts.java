package org.bigarrays.kvstore.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.StorageException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.Options;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.kvstore.BodySink;
import org.bigarrays.kvstore.ForwardingStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.codec.Compression;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingSpec;

/**
 * Checks of raw cutouts from a remote store whose chunks go from the response straight into the
 * output ({@link BodySink}), against the reference model: the same layer written to local disk
 * and read from there. A raw uint16 layer of two channels whose edge chunks are truncated by the
 * volume, so that boxes cut chunks on every side and rows are two bytes a voxel.
 */
public final class RemoteRawCutouts {
    public static final long[] SIZE = {150, 100, 70};
    private static final long[] CHUNK = {64, 48, 32};
    private static final byte SENTINEL = 0x5A;

    private final Path local;
    /** Reads the remote store answered into a sink, all of them (counted by {@link #open}). */
    public final AtomicLong delivered = new AtomicLong();

    private RemoteRawCutouts(Path local) {
        this.local = local;
    }

    /**
     * Sharding for the sharded variant of the layer: 27 chunks in shards of up to 8, so that runs
     * of adjacent chunks hold several chunks and boxes cut them.
     */
    public static final ShardingSpec SHARDED = new ShardingSpec(2, ShardingSpec.Hash.IDENTITY, 1, 2, Compression.NONE, Compression.NONE);

    /** The layer written (same voxels) to {@code remoteUrl} and to {@code localDir}. */
    public static RemoteRawCutouts write(String remoteUrl, Path localDir) {
        return write(remoteUrl, localDir, null);
    }

    /** The layer written with {@code sharding} (null: unsharded) to {@code remoteUrl}, and unsharded to {@code localDir}. */
    public static RemoteRawCutouts write(String remoteUrl, Path localDir, ShardingSpec sharding) {
        org.bigarrays.precomputed.InfoBuilder b = Info.builder(DataType.UINT16, SIZE, CHUNK).channels(2).encoding("raw");
        if (sharding != null) b.sharding(sharding);
        Info remoteInfo = b.build();
        Info info = Info.builder(DataType.UINT16, SIZE, CHUNK).channels(2).encoding("raw").build();
        long[] shape = {SIZE[0], SIZE[1], SIZE[2], 2};
        byte[] voxels = new byte[(int) (SIZE[0] * SIZE[1] * SIZE[2] * 2 * 2)];
        new Random(17).nextBytes(voxels);
        NdView all = NdView.wrap(MemorySegment.ofArray(voxels), DataType.UINT16, new long[] {0, 0, 0, 0}, shape);
        try (BigArray r = BigArray.create(remoteUrl, remoteInfo); BigArray l = BigArray.create(localDir.toString(), info)) {
            r.write(all);
            l.write(all);
        }
        return new RemoteRawCutouts(localDir);
    }

    /** The remote layer opened in a context whose store counts delivered reads; close both. */
    public Opened open(String remoteUrl) {
        BigArraysContext ctx = BigArraysContext.withStoreOpener(u -> new ForwardingStore(KeyValueStores.open(u)) {
            @Override
            public ReadResult read(String key, ReadOptions options, BodySink sink) {
                ReadResult r = base.read(key, options, sink);
                if (r.state() == ReadResult.State.DELIVERED) delivered.incrementAndGet();
                return r;
            }
        });
        return new Opened(BigArray.open(remoteUrl, Options.defaults(), ctx), ctx);
    }

    /** An array and the context it was opened in. */
    public record Opened(BigArray array, BigArraysContext context) implements AutoCloseable {
        @Override
        public void close() {
            array.close();
            context.close();
        }
    }

    /** A random box that meets the volume, sometimes reaching past it (read as the fill value). */
    public static Box randomBox(Random r) {
        long[] lo = new long[3];
        long[] hi = new long[3];
        for (int d = 0; d < 3; d++) {
            lo[d] = r.nextInt((int) SIZE[d] + 6) - 4;
            hi[d] = Math.max(lo[d] + 1, 1) + r.nextInt((int) SIZE[d] / 2 + 5);
            if (hi[d] <= 0) hi[d] = 1;
        }
        return Box.of(lo, hi);
    }

    /**
     * Read {@code box} from {@code remote} into an output first filled with a sentinel and assert
     * that every voxel equals the local read of the same box.
     */
    public void assertSameAsLocal(BigArray remote, Box box) {
        try (Arena arena = Arena.ofShared(); BigArray l = BigArray.open(local.toString())) {
            NdView expected = l.read(box, arena);
            NdView into = NdView.allocate(arena, DataType.UINT16, new long[] {box.min(0), box.min(1), box.min(2), 0},
                    new long[] {box.size(0), box.size(1), box.size(2), 2});
            into.segment().fill(SENTINEL);
            remote.read(box, into);
            long bytes = box.volume() * 2 * 2;
            assertArrayEquals(expected.segment().asSlice(expected.byteOffset(), bytes).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                    into.segment().asSlice(0, bytes).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), "voxels of " + box + " from " + remote.uri());
        }
    }

    /** Every voxel of a few boxes right, with the chunks delivered into the output. */
    public void assertCutouts(BigArray remote) {
        long before = delivered.get();
        for (Box b : List.of(Box.of(new long[] {0, 0, 0}, SIZE.clone()), Box.of(new long[] {13, 7, 5}, new long[] {141, 99, 61}),
                Box.of(new long[] {-3, 40, 60}, new long[] {70, 130, 75}))) {
            assertSameAsLocal(remote, b);
        }
        assertTrue(delivered.get() > before, "no chunk went straight into the output: the test proves nothing about that path");
    }

    /** A read through a store that truncates every response: a one-line error naming the attempts, never wrong voxels. */
    public static void assertClearFailure(BigArray remote, int attempts) {
        Box box = Box.of(new long[] {0, 0, 0}, new long[] {64, 48, 32});
        try (Arena arena = Arena.ofShared()) {
            StorageException e = assertThrows(StorageException.class, () -> remote.read(box, arena));
            assertTrue(e.getMessage().contains("gave up after " + attempts + " attempts"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertEquals("read", e.operation());
        }
    }
}
