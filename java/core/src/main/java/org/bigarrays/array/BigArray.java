package org.bigarrays.array;

import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.bigarrays.InvalidInputException;
import org.bigarrays.MissingChunkException;
import org.bigarrays.chunk.ChunkCopy;
import org.bigarrays.chunk.ChunkExecutor;
import org.bigarrays.chunk.ChunkExecutor.ChunkTask;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.chunk.CopyPlan;
import org.bigarrays.core.ScratchPool;
import org.bigarrays.codec.Compression;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.nativ.Kernels;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.ScaleDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Neuroglancer precomputed volume, at one scale (mip), read and written by boxes. No server:
 * the chunks are fetched from and stored to the key-value store directly, concurrently.
 *
 * <pre>{@code
 * try (BigArray a = BigArray.open("file:///data/em")) {
 *     NdView v = a.read(Box.parse("1000,2000,100:1512,2512,164"));  // [x, y, z, c], origin (1000, 2000, 100, 0)
 *     byte b = v.getByte(1200, 2100, 120);
 * }
 * }</pre>
 *
 * Coordinates are absolute voxel coordinates of the scale ({@code voxel_offset} included).
 * Instances are immutable and thread-safe; {@link #mip(int)} and {@link #withOptions} return
 * siblings that share the store.
 */
public final class BigArray implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BigArray.class);

    private final URI uri;
    private final KeyValueStore root;
    private final Info info;
    private final int mip;
    private final Options options;
    private final ScaleDriver driver;
    private final ChunkExecutor executor;
    private final ScratchPool scratch;

    private BigArray(URI uri, KeyValueStore root, Info info, int mip, Options options) {
        this.uri = uri;
        this.root = root;
        this.info = info;
        this.mip = mip;
        this.options = options;
        var scale = info.scale(mip);
        this.driver = new ScaleDriver(info, scale, KeyValueStores.open(KeyValueStores.resolve(uri, scale.key() + "/")));
        this.executor = new ChunkExecutor(options.cpuThreads(), options.ioConcurrency());
        this.scratch = new ScratchPool(2 * (options.cpuThreads() + options.ioConcurrency()));
    }

    /** Open the layer at {@code url} (file://, plain path, mem://) at mip 0 with default options. */
    public static BigArray open(String url) {
        return open(url, Options.defaults());
    }

    /**
     * Open the layer at {@code url}.
     * @throws InvalidInputException if there is no info file there
     * @throws org.bigarrays.FormatException if the info is malformed
     * @throws org.bigarrays.StorageException if it cannot be read
     */
    public static BigArray open(String url, Options options) {
        URI uri = KeyValueStores.toUri(url);
        KeyValueStore root = KeyValueStores.open(uri);
        ReadResult r = root.read("info");
        if (!r.found()) {
            throw new InvalidInputException("no precomputed layer at " + uri + ": key 'info' not found");
        }
        return new BigArray(uri, root, Info.parse(r.toByteArray(), uri + "info"), 0, options);
    }

    /** Create a new layer at {@code url} by writing {@code info}; no chunks are written. */
    public static BigArray create(String url, Info info) {
        return create(url, info, Options.defaults());
    }

    /**
     * Create a new layer at {@code url}.
     * @throws InvalidInputException if a layer (an info) already exists there
     */
    public static BigArray create(String url, Info info, Options options) {
        URI uri = KeyValueStores.toUri(url);
        KeyValueStore root = KeyValueStores.open(uri);
        if (root.exists("info")) throw new InvalidInputException("a layer already exists at " + uri + " (found its info)");
        if (!info.dataType().neuroglancerDisplays()) {
            LOG.warn("data type {} is not displayed by Neuroglancer (it shows uint8..uint64, int8..int32, float32)", info.dataType());
        }
        info.scales().forEach(org.bigarrays.precomputed.ScaleCodecs::warnIfNotViewable);
        root.write("info", MemorySegment.ofArray(info.toJson().getBytes(StandardCharsets.UTF_8)));
        return new BigArray(uri, root, info, 0, options);
    }

    /** The same layer at another scale (0 = finest). */
    public BigArray mip(int m) {
        info.scale(m); // validates
        return new BigArray(uri, root, info, m, options);
    }

    /** The same layer and scale with other options. */
    public BigArray withOptions(Options o) {
        return new BigArray(uri, root, info, mip, o);
    }

    public URI uri() {
        return uri;
    }

    public Info info() {
        return info;
    }

    public int mip() {
        return mip;
    }

    public Options options() {
        return options;
    }

    public DataType dataType() {
        return info.dataType();
    }

    public int channels() {
        return info.numChannels();
    }

    /** The scale's voxel box {@code [voxel_offset, voxel_offset + size)}. */
    public Box bounds() {
        return driver.grid().volume();
    }

    /** The chunk shape [x, y, z] of this scale. */
    public long[] chunkShape() {
        return driver.grid().chunkShape();
    }

    /** The grid of this scale, for planning aligned boxes. */
    public ChunkGrid grid() {
        return driver.grid();
    }

    /** The format driver of this scale (advanced use: chunk keys, codec). */
    public ScaleDriver driver() {
        return driver;
    }

    /** Read {@code box} into new memory owned by an automatic (GC-managed) arena. */
    public NdView read(Box box) {
        return read(box, Arena.ofAuto());
    }

    /** Read {@code box} into new memory allocated in {@code arena} (closing it frees the result). */
    public NdView read(Box box, Arena arena) {
        checkRank(box, "read");
        NdView out = NdView.allocate(arena, dataType(), new long[] {box.min(0), box.min(1), box.min(2), 0},
                new long[] {box.size(0), box.size(1), box.size(2), channels()});
        read(box, out);
        return out;
    }

    /**
     * Read {@code box} into the caller's view {@code into} (rank 4 {@code [x,y,z,c]}, or rank 3
     * for one channel; shape equal to the box's, any strides; its origin is not used), so
     * services can reuse buffers. Memory of a confined arena is filled on the caller's thread;
     * use a shared or automatic arena to let chunks be copied in parallel. Voxels outside the volume and in missing chunks get the fill
     * value, unless the options are strict.
     * @throws InvalidInputException on a shape/type mismatch, or (strict) a box outside the volume
     * @throws MissingChunkException (strict) when a chunk the box needs does not exist
     * @throws org.bigarrays.CorruptChunkException when a chunk cannot be decoded
     * @throws org.bigarrays.StorageException when the store fails
     */
    public void read(Box box, NdView into) {
        checkRank(box, "read");
        NdView out = as4d(into, box, "read destination");
        Box vol = bounds();
        if (!vol.contains(box)) {
            if (options.strict()) throw new InvalidInputException("strict read: box " + box + " is not inside the volume " + vol + " of " + uri);
            out.fill(options.fillValue());
        }
        Kernels k = Kernels.get();
        int e = dataType().size();
        long fill = NdView.fillPattern(dataType(), options.fillValue());
        List<ChunkCopy> plan = CopyPlan.of(driver.grid(), box);
        ScaleDriver.Fetcher fetcher = driver.fetcher(plan.stream().map(ChunkCopy::chunkBox).toList());
        List<ChunkTask<ReadResult, Void>> tasks = new ArrayList<>(plan.size());
        for (ChunkCopy c : plan) {
            tasks.add(new ChunkTask<>() {
                // A pooled buffer the store read the chunk's bytes into; given back after the copy.
                private MemorySegment fetchBuffer;

                @Override
                public ReadResult fetch() {
                    return fetcher.fetch(c.chunkBox(), n -> {
                        if (fetchBuffer != null) scratch.giveBack(fetchBuffer);
                        return fetchBuffer = scratch.borrow(n);
                    });
                }

                @Override
                public Void process(ReadResult r) {
                    long[] shape = {c.overlap().size(0), c.overlap().size(1), c.overlap().size(2), channels()};
                    long dstOff = offsetOf(out, c.overlap());
                    if (!r.found()) {
                        if (options.strict()) throw new MissingChunkException(driver.store().uri(), driver.key(c.chunkBox()), box.toString());
                        k.fill(out.segment(), dstOff, out.strides(), shape, e, fill);
                        return null;
                    }
                    MemorySegment chunk = driver.decode(r, c.chunkBox(), scratch);
                    try {
                        long[] ss = driver.layout(c.chunkBox()).strides4();
                        long srcOff = 0;
                        for (int i = 0; i < 3; i++) srcOff += (c.overlap().min(i) - c.chunkBox().min(i)) * ss[i];
                        k.copy(chunk, srcOff, ss, out.segment(), dstOff, out.strides(), shape, e);
                    } finally {
                        if (driver.isBorrowed(chunk, r)) scratch.giveBack(chunk);
                        if (fetchBuffer != null) scratch.giveBack(fetchBuffer);
                    }
                    return null;
                }
            });
        }
        executorFor(out).run(tasks, done -> options.progress().update(done, plan.size()));
    }

    private static final Thread OTHER_THREAD = Thread.ofVirtual().unstarted(() -> {});
    private static final ChunkExecutor SEQUENTIAL = new ChunkExecutor(1, 1);

    /** Memory of a confined arena can only be touched by its owner: then run on the caller's thread. */
    private ChunkExecutor executorFor(NdView v) {
        return v.segment().isAccessibleBy(OTHER_THREAD) ? executor : SEQUENTIAL;
    }

    /**
     * Write {@code data} (rank 4 {@code [x,y,z,c]} or rank 3 for one channel) at its origin. The
     * box must lie inside the volume and be chunk-aligned (faces on chunk boundaries or the
     * volume's upper bound), unless {@link Options#readModifyWrite()} is set. Each chunk is
     * stored atomically. On a sharded scale the box must also cover every chunk of each shard it
     * touches (up to the volume's edge), unless read-modify-write is set; each shard file is
     * written once, atomically.
     * @throws InvalidInputException on a box outside the volume, an unaligned box (naming the
     *     nearest aligned one), or a type/channel mismatch
     */
    public void write(NdView data) {
        long[] o = data.origin();
        Box box = Box.of(new long[] {o[0], o[1], o[2]}, new long[] {o[0] + data.shape()[0], o[1] + data.shape()[1], o[2] + data.shape()[2]});
        NdView src = as4d(data, box, "write source");
        ChunkGrid grid = driver.grid();
        grid.checkInside(box, "write");
        if (!options.readModifyWrite() && !grid.isAligned(box)) {
            throw new InvalidInputException("write box " + box + " is not chunk-aligned (chunks " + Arrays.toString(grid.chunkShape())
                    + " from voxel_offset " + Arrays.toString(grid.volume().min()) + "); the nearest aligned box containing it is "
                    + grid.alignOutward(box) + "; or enable read-modify-write");
        }
        if (driver.isSharded()) {
            writeSharded(box, src);
            return;
        }
        List<ChunkCopy> plan = CopyPlan.of(grid, box);
        record Encoded(MemorySegment bytes, MemorySegment buffer) {}
        List<ChunkTask<ReadResult, Encoded>> tasks = new ArrayList<>(plan.size());
        for (ChunkCopy c : plan) {
            tasks.add(new ChunkTask<>() {
                @Override
                public ReadResult fetch() {
                    return c.coversChunk() ? null : driver.fetch(c.chunkBox());
                }

                @Override
                public Encoded process(ReadResult old) {
                    var layout = driver.layout(c.chunkBox());
                    MemorySegment buf = scratch.borrow(layout.byteSize());
                    try {
                        assembleChunk(c, old, src, buf);
                        return new Encoded(driver.encode(buf.asSlice(0, layout.byteSize()), c.chunkBox(), options.compression()), buf);
                    } catch (RuntimeException ex) {
                        scratch.giveBack(buf);
                        throw ex;
                    }
                }

                @Override
                public void store(Encoded enc) {
                    try {
                        driver.store(c.chunkBox(), enc.bytes(), options.compression());
                    } finally {
                        scratch.giveBack(enc.buffer());
                    }
                }
            });
        }
        executorFor(src).run(tasks, done -> options.progress().update(done, plan.size()));
    }

    /**
     * Write a box of a sharded scale: chunks grouped by shard, one task per shard that encodes
     * its chunks and writes the shard file once. A shard the box covers only in part is read,
     * patched and rewritten, and only with read-modify-write.
     */
    private void writeSharded(Box box, NdView src) {
        List<ChunkCopy> plan = CopyPlan.of(driver.grid(), box);
        Map<Long, List<ChunkCopy>> byShard = new LinkedHashMap<>();
        for (ChunkCopy c : plan) byShard.computeIfAbsent(driver.shardOf(c.chunkBox()), s -> new ArrayList<>()).add(c);
        Map<Long, Boolean> whole = new HashMap<>();
        for (var en : byShard.entrySet()) {
            long total = driver.chunksInShard(en.getKey());
            boolean covers = en.getValue().size() == total && en.getValue().stream().allMatch(ChunkCopy::coversChunk);
            if (!covers && !options.readModifyWrite()) {
                throw new InvalidInputException("write box " + box + " covers " + en.getValue().size() + " of the " + total + " chunks of shard file '"
                        + driver.sharded().shardKey(en.getKey()) + "' of scale '" + driver.scale().key()
                        + "'; a sharded scale is written whole shards at a time: write a box that covers whole shards (up to the volume's edge), or enable read-modify-write");
            }
            whole.put(en.getKey(), covers);
        }
        List<ChunkTask<SortedMap<Long, MemorySegment>, SortedMap<Long, MemorySegment>>> tasks = new ArrayList<>(byShard.size());
        for (var en : byShard.entrySet()) {
            long shard = en.getKey();
            tasks.add(new ChunkTask<>() {
                @Override
                public SortedMap<Long, MemorySegment> fetch() {
                    return whole.get(shard) ? new TreeMap<>() : driver.readShard(shard);
                }

                @Override
                public SortedMap<Long, MemorySegment> process(SortedMap<Long, MemorySegment> chunks) {
                    for (ChunkCopy c : en.getValue()) {
                        var layout = driver.layout(c.chunkBox());
                        long id = driver.chunkId(c.chunkBox());
                        MemorySegment buf = scratch.borrow(layout.byteSize());
                        try {
                            MemorySegment old = c.coversChunk() ? null : chunks.get(id);
                            assembleChunk(c, c.coversChunk() ? null : old == null ? ReadResult.MISSING : ReadResult.of(old, ""), src, buf);
                            MemorySegment enc = driver.encode(buf.asSlice(0, layout.byteSize()), c.chunkBox(), Compression.NONE);
                            // The encoded bytes may alias the pooled buffer (raw), so keep a copy.
                            chunks.put(id, MemorySegment.ofArray(enc.toArray(ValueLayout.JAVA_BYTE)));
                        } finally {
                            scratch.giveBack(buf);
                        }
                    }
                    return chunks;
                }

                @Override
                public void store(SortedMap<Long, MemorySegment> chunks) {
                    driver.storeShard(shard, chunks);
                }
            });
        }
        // Each task holds a whole shard in memory: only as many in flight as keep the cores busy.
        new ChunkExecutor(options.cpuThreads(), Math.min(options.ioConcurrency(), options.cpuThreads()))
                .run(tasks, done -> options.progress().update(done, tasks.size()));
    }

    /**
     * The new contents of chunk {@code c} in {@code buf}: where the write does not cover the
     * chunk, its {@code previous} stored bytes (or the fill value when missing) first; then the
     * written overlap from {@code src}. {@code previous} is null when the write covers the chunk.
     */
    private void assembleChunk(ChunkCopy c, ReadResult previous, NdView src, MemorySegment buf) {
        Kernels k = Kernels.get();
        int e = dataType().size();
        var layout = driver.layout(c.chunkBox());
        long[] cs = layout.strides4();
        if (previous != null) {
            if (previous.found()) {
                MemorySegment prev = driver.decode(previous, c.chunkBox(), scratch);
                MemorySegment.copy(prev, 0, buf, 0, layout.byteSize());
                if (driver.isBorrowed(prev, previous)) scratch.giveBack(prev);
            } else {
                k.fill(buf, 0, cs, layout.shape4(), e, NdView.fillPattern(dataType(), options.fillValue()));
            }
        }
        long dstOff = 0;
        for (int i = 0; i < 3; i++) dstOff += (c.overlap().min(i) - c.chunkBox().min(i)) * cs[i];
        long[] shape = {c.overlap().size(0), c.overlap().size(1), c.overlap().size(2), channels()};
        k.copy(src.segment(), offsetOf(src, c.overlap()), src.strides(), buf, dstOff, cs, shape, e);
    }

    /** Byte offset in {@code v} of the voxel at {@code box.min()} (channel 0). */
    private static long offsetOf(NdView v, Box box) {
        long[] o = v.origin();
        long[] s = v.strides();
        long off = v.byteOffset();
        for (int i = 0; i < 3; i++) off += (box.min(i) - o[i]) * s[i];
        return off;
    }

    private static void checkRank(Box box, String what) {
        if (box.rank() != 3) throw new InvalidInputException(what + " box " + box + ": expected 3 dimensions x,y,z, found " + box.rank());
    }

    /** {@code v} as a rank-4 view at {@code box}'s origin, checked against type, shape and channels. */
    private NdView as4d(NdView v, Box box, String what) {
        if (v.dataType() != dataType()) {
            throw new InvalidInputException(what + ": data type " + v.dataType() + " does not match the layer's " + dataType());
        }
        long[] s = v.shape();
        long[] st = v.strides();
        NdView r;
        if (v.rank() == 3 && channels() == 1) {
            r = NdView.wrap(v.segment(), v.byteOffset(), v.dataType(), new long[] {box.min(0), box.min(1), box.min(2), 0},
                    new long[] {s[0], s[1], s[2], 1}, new long[] {st[0], st[1], st[2], st[2] * Math.max(1, s[2])});
        } else if (v.rank() == 4) {
            r = v.withOrigin(new long[] {box.min(0), box.min(1), box.min(2), 0});
        } else {
            throw new InvalidInputException(what + ": expected a rank-4 [x,y,z,c] view" + (channels() == 1 ? " or rank 3" : "") + ", found rank " + v.rank());
        }
        long[] rs = r.shape();
        if (rs[0] != box.size(0) || rs[1] != box.size(1) || rs[2] != box.size(2) || rs[3] != channels()) {
            throw new InvalidInputException(what + ": shape " + Arrays.toString(rs) + " does not match box " + box + " with "
                    + channels() + " channel(s)");
        }
        return r;
    }

    @Override
    public void close() {
        // Stores are shared between siblings and cheap to drop; remote backends close their clients here.
    }
}
