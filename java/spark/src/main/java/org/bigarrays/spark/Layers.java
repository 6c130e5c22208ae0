package org.bigarrays.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.ZstdCodec;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;

/**
 * What the tasks in one executor JVM share: one {@link BigArraysContext} (store clients, buffer
 * pools, chunk stores) and the layers opened in it, kept for the JVM's life, so a task opens
 * nothing the previous task already opened. Layers are keyed by URL and the info the driver saw,
 * so a layer created again at the same URL is opened again.
 */
final class Layers {
    private static final BigArraysContext CONTEXT = BigArraysContext.create();
    private static final Map<String, BigArray> OPEN = new ConcurrentHashMap<>();
    private static final ExecutorService DECODERS = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(),
            Thread.ofPlatform().name("bigarrays-spark-decode-", 0).daemon(true).factory());

    private Layers() {}

    /** The layer at {@code url} (mip 0) whose info the driver saw as {@code infoJson}; tasks use one thread each. */
    static BigArray open(String url, String infoJson) {
        return open(url, infoJson, null, Compression.NONE, ZstdCodec.LEVEL);
    }

    /**
     * As above, for a new layer in {@code format} (null: precomputed, or the Zarr layer stored
     * there) whose Zarr codecs compress with {@code compression}: what the driver and every task
     * must agree on, as the metadata is published by the driver after the tasks wrote the chunks;
     * zstd writes at {@code zstdLevel}.
     */
    static BigArray open(String url, String infoJson, String format, Compression compression, int zstdLevel) {
        // Staged: the driver publishes the info last, so the stored one may not have these scales yet.
        Options o = (format == null ? taskOptions() : taskOptions().withFormat(format).withCompression(compression)).withZstdLevel(zstdLevel);
        return OPEN.computeIfAbsent(url + "\n" + format + "\n" + compression + "\n" + zstdLevel + "\n" + infoJson,
                k -> BigArray.staged(url, org.bigarrays.precomputed.Info.parse(infoJson, url + " (info from the driver)"), o, CONTEXT));
    }

    /** The existing layer at {@code url} that a job reads (any format, Zarr v2 included), as the driver saw it ({@code infoJson}). */
    static BigArray openSource(String url, String infoJson) {
        return OPEN.computeIfAbsent("source\n" + url + "\n" + infoJson, k -> BigArray.open(url, taskOptions(), CONTEXT));
    }

    /** Options of a task: one decode/encode thread (Spark runs one task per core), a few requests in flight. */
    static Options taskOptions() {
        return Options.defaults().withThreads(1, 16);
    }

    /** The root store of the layer at {@code url}. */
    static KeyValueStore store(String url) {
        return CONTEXT.store(KeyValueStores.toUri(url));
    }

    /** Workers that decode image slices, one per core of this JVM. */
    static ExecutorService decoders() {
        return DECODERS;
    }
}
