package org.bigarrays.precomputed;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.bigarrays.codec.Compression;
import org.bigarrays.kvstore.BodySink;
import org.bigarrays.kvstore.FileStore;
import org.bigarrays.kvstore.Generation;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;

/**
 * The names an unsharded chunk is stored under: the one place that decides them.
 *
 * <p><b>On a local file store</b>, CloudFiles' names: a gzip chunk is {@code <key>.gz}, a zstd
 * chunk {@code <key>.zstd}, raw and lz4 (CloudFiles has no name for lz4) the plain {@code <key>}.
 * CloudVolume and CloudFiles pick the codec of a local file by its extension alone, and a static
 * server (CloudVolume's viewer) maps {@code <key>} to {@code <key>.gz} with
 * {@code Content-Encoding: gzip}, so only these names make our layers readable there. A chunk
 * has exactly one of its names at rest; {@link FileStore}'s "Keys with several names" keeps
 * every rewrite, also between names, one atomic step under one lock per chunk.
 *
 * <p><b>Elsewhere</b> (s3, gs, http, memory) every chunk is the plain key, gzip marked
 * {@code Content-Encoding: gzip} where the store keeps metadata (what CloudVolume writes to
 * buckets, and all Neuroglancer requests); {@code <key>.gz} is still read when the plain key is
 * absent, in the order plain, {@code .gz}, plain again (a writer stores the plain key before it
 * removes the old name, so a chunk is never reported missing), and removed after a write of the
 * plain key.
 *
 * <p>Either way the compression of the bytes is detected by their magic number on read, so gzip
 * bytes under the plain key (BigArrays.jl, and layers written by earlier versions) stay readable.
 */
public abstract sealed class ChunkNames {
    /** Compressed names on local disk, in reading order after the plain key. */
    public static final List<String> LOCAL_SUFFIXES = FileStore.NAME_SUFFIXES;
    /** The one compressed name still read on other stores (CloudVolume's on local disk, copied up). */
    static final String LEGACY_GZIP_SUFFIX = ".gz";

    private ChunkNames() {}

    /** The naming of chunks in {@code store}: by compression on a local file store, plain elsewhere. */
    public static ChunkNames of(KeyValueStore store) {
        return store instanceof FileStore files ? new Local(files) : new Plain(store);
    }

    /** The name a chunk compressed with {@code c} gets on local disk: {@code .gz}, {@code .zstd} or "". */
    public static String localSuffix(Compression c) {
        return switch (c) {
            case GZIP -> ".gz";
            case ZSTD -> ".zstd";
            case NONE, LZ4 -> "";
        };
    }

    /** The chunk key of a stored name: {@code <key>.gz} and {@code <key>.zstd} map to {@code <key>}. */
    public static String chunkKey(String name) {
        for (String s : LOCAL_SUFFIXES) if (name.endsWith(s)) return name.substring(0, name.length() - s.length());
        return name;
    }

    /** The stored bytes of chunk {@code key} under whichever name holds it, and that name's generation. */
    public abstract ReadResult read(String key, ReadOptions options);

    /** {@link #read(String, ReadOptions)}, the bytes handed to {@code sink} where the store can (see {@link KeyValueStore#read(String, ReadOptions, BodySink)}). */
    public ReadResult read(String key, ReadOptions options, BodySink sink) {
        return read(key, options);
    }

    /** Whether {@link #readScattered} can read here: on a local file store. */
    public boolean readsScattered() {
        return false;
    }

    /**
     * Byte ranges of chunk {@code key}'s value under its plain name (the name read first) into
     * {@code dst}, if it is exactly {@code expectedSize} bytes: see
     * {@link FileStore#readScattered}. False, nothing written, otherwise (then {@link #read}).
     */
    public boolean readScattered(String key, long expectedSize, MemorySegment dst, long[] spans, int count, MemorySegment head) {
        return false;
    }

    /** Store a chunk's bytes, compressed with {@code transport}, as one atomic step, and drop its other names. */
    public abstract WriteResult write(String key, MemorySegment encoded, Compression transport, WriteOptions options);

    /** Remove every name of chunk {@code key}; whether one existed. */
    public abstract boolean delete(String key);

    private static final class Local extends ChunkNames {
        private final FileStore store;

        Local(FileStore store) {
            this.store = store;
        }

        @Override
        public ReadResult read(String key, ReadOptions options) {
            return store.readAnyName(key, options);
        }

        @Override
        public boolean readsScattered() {
            return true;
        }

        @Override
        public boolean readScattered(String key, long expectedSize, MemorySegment dst, long[] spans, int count, MemorySegment head) {
            return store.readScattered(key, expectedSize, dst, spans, count, head);
        }

        @Override
        public WriteResult write(String key, MemorySegment encoded, Compression transport, WriteOptions options) {
            return store.writeName(key, localSuffix(transport), encoded, options);
        }

        @Override
        public boolean delete(String key) {
            return store.deleteAllNames(key);
        }
    }

    private static final class Plain extends ChunkNames {
        private final KeyValueStore store;

        Plain(KeyValueStore store) {
            this.store = store;
        }

        @Override
        public ReadResult read(String key, ReadOptions options) {
            return read(key, options, null);
        }

        @Override
        public ReadResult read(String key, ReadOptions options, BodySink sink) {
            ReadResult r = sink == null ? store.read(key, options) : store.read(key, options, sink);
            if (r.state() != ReadResult.State.MISSING) return r;
            ReadResult legacy = store.read(key + LEGACY_GZIP_SUFFIX, options);
            // Its plain key is absent: a conditional rewrite creates the plain key only if no one did first.
            if (legacy.found()) return new ReadResult(ReadResult.State.VALUE, legacy.value(), Generation.NO_VALUE, legacy.lease());
            legacy.close();
            return store.read(key, options);
        }

        @Override
        public WriteResult write(String key, MemorySegment encoded, Compression transport, WriteOptions options) {
            WriteResult w = store.write(key, encoded, options);
            // After the plain key is stored, a leftover legacy name is never read again; drop it.
            if (w.written()) store.delete(key + LEGACY_GZIP_SUFFIX);
            return w;
        }

        @Override
        public boolean delete(String key) {
            boolean legacy = store.delete(key + LEGACY_GZIP_SUFFIX);
            return store.delete(key) | legacy;
        }
    }
}
