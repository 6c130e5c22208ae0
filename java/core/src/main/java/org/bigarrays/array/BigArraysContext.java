package org.bigarrays.array;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.bigarrays.chunk.ChunkCache;
import org.bigarrays.chunk.ChunkExecutor;
import org.bigarrays.core.BufferPool;
import org.bigarrays.kvstore.IoBudget;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.LayerFormat;
import org.bigarrays.precomputed.ScaleChunkStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What arrays share: the stores it opened (one per URL), the buffer pool chunks are read and
 * decoded into, the chunk executors, the {@link IoBudget} that bounds their I/O in flight all
 * together, and the per-scale chunk stores (codec, shard index cache) built once per layer and scale. {@link BigArray#open(String)} creates one that the array owns
 * and closes; pass one to {@link BigArray#open(String, Options, BigArraysContext)} to share it
 * between layers. Siblings from {@link BigArray#mip} and {@link BigArray#withOptions} share their
 * parent's. Thread-safe.
 *
 * <pre>{@code
 * try (BigArraysContext ctx = BigArraysContext.create()) {
 *     BigArray em = BigArray.open("s3://bucket/em", Options.defaults(), ctx);
 *     BigArray seg = BigArray.open("s3://bucket/seg", Options.defaults(), ctx);
 *     ...
 * } // closes the stores both opened
 * }</pre>
 */
public final class BigArraysContext implements AutoCloseable {
    /** The logger, made on first use: starting SLF4J costs a one-chunk cutout ~20 ms. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(BigArraysContext.class);
    }

    private final Function<URI, KeyValueStore> opener;
    private final BufferPool buffers;
    private final ChunkCache cache; // null: reads decode every chunk they need
    private final IoBudget io;
    private final Map<String, KeyValueStore> stores = new ConcurrentHashMap<>();
    private final Map<ScaleKey, ScaleChunkStore> scales = new ConcurrentHashMap<>();
    private final Map<Long, ChunkExecutor> executors = new ConcurrentHashMap<>();
    private final java.util.Set<String> warned = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * A scale's key. Not a record: a record's equals and hashCode are bootstrapped by
     * {@code ObjectMethods} at first call, which the AOT cache does not hold and which cost a
     * one-chunk cutout ~15 ms of method handles spun at run time. The hash leaves out the info
     * (equal keys still hash alike), and the same info instance, the usual case, compares at once.
     */
    private static final class ScaleKey {
        private final String layer;
        private final Info info;
        private final int mip;
        private final LayerFormat format;

        ScaleKey(String layer, Info info, int mip, LayerFormat format) {
            this.layer = layer;
            this.info = info;
            this.mip = mip;
            this.format = format;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ScaleKey k && mip == k.mip && layer.equals(k.layer) && format.equals(k.format) && (info == k.info || info.equals(k.info));
        }

        @Override
        public int hashCode() {
            return layer.hashCode() * 31 + mip;
        }
    }

    private BigArraysContext(Function<URI, KeyValueStore> opener, int pooledBuffers, long cacheBytes, IoBudget io) {
        this.opener = opener;
        this.io = io;
        this.buffers = new BufferPool(pooledBuffers);
        this.cache = cacheBytes > 0 ? new ChunkCache(cacheBytes) : null;
    }

    /** A context that opens stores by URL scheme ({@link KeyValueStores#open(URI)}), without a chunk cache. */
    public static BigArraysContext create() {
        return withStoreOpener(KeyValueStores::open);
    }

    /**
     * A context with a cache of decoded chunks of at most {@code chunkCacheBytes} (0: none),
     * shared by every array opened in it: for services that cut out overlapping boxes. Each
     * chunk is fetched and decoded once for all concurrent readers that need it; writes through
     * this context drop the chunks they replace. See {@link ChunkCache}.
     *
     * <pre>{@code
     * try (BigArraysContext ctx = BigArraysContext.create(512L << 20)) { // 512 MiB of decoded chunks
     *     BigArray em = BigArray.open("s3://bucket/em", Options.defaults(), ctx);
     *     ...
     * }
     * }</pre>
     */
    public static BigArraysContext create(long chunkCacheBytes) {
        return withStoreOpener(KeyValueStores::open, chunkCacheBytes);
    }

    /** A context that opens stores with {@code opener} (e.g. to wrap or count them). */
    public static BigArraysContext withStoreOpener(Function<URI, KeyValueStore> opener) {
        return withStoreOpener(opener, 0);
    }

    /** A context that opens stores with {@code opener}, with a chunk cache of {@code chunkCacheBytes} (0: none). */
    public static BigArraysContext withStoreOpener(Function<URI, KeyValueStore> opener, long chunkCacheBytes) {
        return withStoreOpener(opener, chunkCacheBytes, IoBudget.defaults());
    }

    /**
     * A context that opens stores with {@code opener}, with a chunk cache of {@code chunkCacheBytes}
     * (0: none), whose arrays keep their I/O within {@code io}: store requests and bytes in flight
     * across all of them, chunk reads and writes, shard reads and remote batches alike (see {@link IoBudget}).
     */
    public static BigArraysContext withStoreOpener(Function<URI, KeyValueStore> opener, long chunkCacheBytes, IoBudget io) {
        if (chunkCacheBytes < 0) throw new org.bigarrays.InvalidInputException("chunk cache size must be ≥ 0 bytes, found " + chunkCacheBytes);
        int cores = Runtime.getRuntime().availableProcessors();
        return new BigArraysContext(opener, 2 * (cores + Math.max(16, 4 * cores)), chunkCacheBytes, java.util.Objects.requireNonNull(io, "io"));
    }

    /** The I/O budget every array of this context shares. */
    public IoBudget ioBudget() {
        return io;
    }

    /** The decoded-chunk cache shared by this context's arrays; null when made without one. */
    public ChunkCache chunkCache() {
        return cache;
    }

    /** The store rooted at {@code uri}, opened on first use and closed with this context. */
    public KeyValueStore store(URI uri) {
        checkOpen();
        return stores.computeIfAbsent(uri.toString(), u -> opener.apply(uri));
    }

    /** The pool chunk buffers are leased from. */
    public BufferPool buffers() {
        return buffers;
    }

    /** The executor for {@code cpuThreads} and {@code ioConcurrency}, built once. */
    ChunkExecutor executor(int cpuThreads, int ioConcurrency) {
        return executors.computeIfAbsent(((long) cpuThreads << 32) | ioConcurrency, k -> new ChunkExecutor(cpuThreads, ioConcurrency, io));
    }

    /** The chunk store of scale {@code mip} of the layer at {@code layer}, built once. */
    ScaleChunkStore scale(URI layer, Info info, int mip, LayerFormat format) {
        checkOpen();
        return scales.computeIfAbsent(new ScaleKey(layer.toString(), info, mip, format), k -> {
            var scale = info.scale(mip);
            String dir = format.scaleDirectory(scale);
            if (dir.isEmpty()) return format.scale(info, mip, store(layer), buffers, io); // a lone Zarr array: chunks under the root
            URI scaleUri = KeyValueStores.resolve(layer, dir + "/");
            // A file layer's scale store still refuses writes through a link out of the layer (not just out of the scale).
            KeyValueStore scaleStore = store(layer) instanceof org.bigarrays.kvstore.FileStore files
                    ? stores.computeIfAbsent(scaleUri.toString(), u -> files.under(dir))
                    : store(scaleUri);
            return format.scale(info, mip, scaleStore, buffers, io);
        });
    }

    /** True the first time {@code warning} is asked about: so a warning is logged once per context. */
    boolean firstTime(String warning) {
        return warned.add(warning);
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("BigArraysContext is closed");
    }

    /** Closes every store this context opened, forgets the chunk stores built on them and frees the idle buffers. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        List<KeyValueStore> open = new ArrayList<>(stores.values());
        stores.clear();
        scales.clear();
        if (cache != null) cache.clear();
        for (KeyValueStore s : open) {
            try {
                s.close();
            } catch (RuntimeException e) {
                Log.LOG.warn("closing {} failed: {}", s.uri(), e.toString());
            }
        }
        buffers.close();
    }
}
