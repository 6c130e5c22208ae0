package org.bigarrays.array;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bigarrays.InvalidInputException;
import org.bigarrays.MissingChunkException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ObjIntConsumer;
import org.bigarrays.chunk.BatchReader;
import org.bigarrays.chunk.ChunkReader;
import org.bigarrays.codec.Compression;
import org.bigarrays.chunk.ChunkWriter;
import org.bigarrays.kvstore.ConflictRetry;
import org.bigarrays.core.Box;
import org.bigarrays.core.ChunkGrid;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.nativ.PageMemory;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.LayerFormat;
import org.bigarrays.precomputed.ScaleChunkStore;
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
 * siblings that share the {@link BigArraysContext} (stores, buffers, per-scale chunk stores).
 * Reading and writing are done by the chunk layer ({@link ChunkReader}, {@link ChunkWriter});
 * this class checks arguments and shapes and delegates.
 */
public final class BigArray implements AutoCloseable {
    /** The logger, made on first use: starting SLF4J costs a one-chunk cutout ~20 ms. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(BigArray.class);
    }

    private final URI uri;
    private final BigArraysContext context;
    private final boolean ownsContext;
    private final Info info;
    private final LayerFormat format;
    private final int mip;
    private final Options options;
    private final ScaleChunkStore chunks;
    private final ChunkReader reader;
    private final BatchReader batchReader;
    private final ChunkWriter writer;

    private BigArray(URI uri, BigArraysContext context, boolean ownsContext, Info info, LayerFormat format, int mip, Options options) {
        this.uri = uri;
        this.context = context;
        this.ownsContext = ownsContext;
        this.info = info;
        this.format = format;
        this.mip = mip;
        this.options = options;
        this.chunks = context.scale(uri, info, mip, format);
        var executor = context.executor(options.cpuThreads(), options.ioConcurrency());
        // Each shard task holds a whole shard in memory: only as many in flight as keep the cores busy.
        var shardExecutor = context.executor(options.cpuThreads(), Math.min(options.ioConcurrency(), options.cpuThreads()));
        this.reader = new ChunkReader(chunks, executor, context.chunkCache());
        this.batchReader = new BatchReader(chunks, executor, context.chunkCache());
        this.writer = new ChunkWriter(chunks, executor, shardExecutor, ConflictRetry.DEFAULT, context.chunkCache());
    }

    /** Open the layer at {@code url} (file://, plain path, mem://) at mip 0 with default options. */
    public static BigArray open(String url) {
        return open(url, Options.defaults());
    }

    /**
     * Open the layer at {@code url}, with a context of its own that {@link #close()} releases.
     * @throws InvalidInputException if there is no info file there
     * @throws org.bigarrays.FormatException if the info is malformed
     * @throws org.bigarrays.StorageException if it cannot be read
     */
    public static BigArray open(String url, Options options) {
        BigArraysContext ctx = BigArraysContext.create();
        try {
            return open(url, options, ctx, true);
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /** Open the layer at {@code url} in the caller's {@code context}, which closing the array leaves open. */
    public static BigArray open(String url, Options options, BigArraysContext context) {
        return open(url, options, context, false);
    }

    /**
     * Open the layer at {@code uri} (as {@link #uri()} gives it, or {@link KeyValueStores#toUri}) in the
     * caller's {@code context}: for reopening a layer without turning its URI back into a string.
     */
    public static BigArray open(URI uri, Options options, BigArraysContext context) {
        return open(KeyValueStores.toUri(uri), options, context, false);
    }

    private static BigArray open(String url, Options options, BigArraysContext context, boolean owns) {
        String named = KeyValueStores.formatOf(url); // zarr3://…, precomputed://…: the format the user named
        if (named != null && options.format() == null && !named.equals("zarr")) options = options.withFormat(named);
        return open(KeyValueStores.toUri(url), options, context, owns);
    }

    private static BigArray open(URI uri, Options options, BigArraysContext context, boolean owns) {
        KeyValueStore root = context.store(uri);
        LayerFormat.Opened opened = LayerFormats.open(root, uri.toString(), options.format());
        if (opened == null) {
            String job = JobRecord.recordedCommand(root);
            throw new InvalidInputException("no layer at " + uri + ": " + LayerFormats.lookedFor(options.format())
                    + (job == null ? "" : " (an unfinished '" + job + "' job is writing one there: rerun it to finish it)"));
        }
        return new BigArray(uri, context, owns, opened.info(), opened.format(), 0, LayerFormats.withStoredFill(options, opened));
    }

    /**
     * The layer at {@code url} as {@code info} describes it, without reading or writing its stored
     * info: for jobs that write a new layer's (or new scales') chunks first and {@link #publish}
     * the info last, and for workers handed the info by a driver (Spark).
     */
    public static BigArray staged(String url, Info info, Options options, BigArraysContext context) {
        URI uri = KeyValueStores.toUri(url);
        LayerFormat format = LayerFormats.forNew(context.store(uri), uri.toString(), info, options);
        return new BigArray(uri, context, false, info, format, 0, options);
    }

    /**
     * Make this array's info the layer's, in one atomic write: a reader sees the old info (or
     * none) or this one. The last step of a job, after every chunk it describes is stored.
     * @param expected the generation of the info this replaces ({@link org.bigarrays.kvstore.Generation#NO_VALUE}
     *     for a new layer); an info already equal to this one counts as published (a rerun after a crash)
     * @throws org.bigarrays.StorageException if the stored info changed meanwhile
     */
    public void publish(String expected) {
        KeyValueStore root = context.store(uri);
        if (format.publish(root, info, expected)) return;
        if (format.metadata(info).equals(format.storedMetadata(root))) return;
        throw new org.bigarrays.StorageException(uri.toString(), LayerFormats.metadataKey(format), "publish",
                "the layer's metadata was changed by another writer while this job ran; rerun the job to resume it and publish again");
    }

    /**
     * The generation of the stored metadata at this array's root (precomputed's info, Zarr's
     * top-level zarr.json), {@link org.bigarrays.kvstore.Generation#NO_VALUE} when there is none.
     */
    public String infoGeneration() {
        return format.generation(context.store(uri));
    }

    /** How this scale's chunks are encoded, for people: the precomputed encoding, or a Zarr array's codecs and axis mapping. */
    public String codecs() {
        return chunks.codec().toString();
    }

    /** Where this scale's keys lie under the layer's root: "" for a lone Zarr array, else the scale's directory. */
    String scaleDirectory() {
        return format.scaleDirectory(info.scale(mip));
    }

    /** The layer's format driver: precomputed, zarr3, ome-zarr, zarr2. */
    public String format() {
        return format.name();
    }

    /** This layer as {@code info} describes it (not stored): see {@link #staged}. */
    BigArray withInfo(Info info) {
        return new BigArray(uri, context, false, info, format.forNew(info), 0, options);
    }

    /**
     * The temp file to write a cutout of {@code box} ({@code bytes}) into before renaming it over
     * {@code file}, for writers of other file formats: the target is checked (a regular file or
     * none, a writable directory with room), dead cutouts' temps there are removed, and the name
     * is one the next cutout recognises if this process dies. Lock it with the file store's
     * {@code LockedTempFile} while writing.
     */
    public static java.nio.file.Path cutoutTemporary(java.nio.file.Path file, Box box, long bytes) {
        return StreamedCutout.outputTemporary(file, box, bytes);
    }

    /** Create a new layer at {@code url} by writing {@code info}; no chunks are written. */
    public static BigArray create(String url, Info info) {
        return create(url, info, Options.defaults());
    }

    /**
     * Create a new layer at {@code url}, with a context of its own that {@link #close()} releases.
     * @throws InvalidInputException if a layer (an info) already exists there
     */
    public static BigArray create(String url, Info info, Options options) {
        BigArraysContext ctx = BigArraysContext.create();
        try {
            return create(url, info, options, ctx, true);
        } catch (RuntimeException e) {
            ctx.close();
            throw e;
        }
    }

    /** Create a new layer at {@code url} in the caller's {@code context}, which closing the array leaves open. */
    public static BigArray create(String url, Info info, Options options, BigArraysContext context) {
        return create(url, info, options, context, false);
    }

    private static BigArray create(String url, Info info, Options options, BigArraysContext context, boolean owns) {
        String named = KeyValueStores.formatOf(url); // zarr3://…: the format of the new layer
        if (named != null && options.format() == null) options = options.withFormat(named.equals("zarr") ? "zarr3" : named);
        URI uri = KeyValueStores.toUri(url);
        KeyValueStore root = context.store(uri);
        LayerFormats.refuseExisting(root, uri.toString());
        LayerFormat format = LayerFormats.forNew(root, uri.toString(), info, options);
        if (!info.dataType().neuroglancerDisplays()) {
            Log.LOG.warn("data type {} is not displayed by Neuroglancer (it shows uint8..uint64, int8..int32, float32)", info.dataType());
        }
        info.scales().forEach(org.bigarrays.precomputed.ChunkCodec::warnIfNotViewable);
        format.publish(root, info, null);
        BigArray a = new BigArray(uri, context, owns, info, format, 0, options);
        a.warnIfNotViewable(options.compression());
        return a;
    }

    /** The same layer at another scale (0 = finest), sharing this array's context. */
    public BigArray mip(int m) {
        info.scale(m); // validates
        return new BigArray(uri, context, false, info, format, m, options);
    }

    /** The same layer and scale with other options, sharing this array's context. */
    public BigArray withOptions(Options o) {
        return new BigArray(uri, context, false, info, format, mip, o);
    }

    /** The layer's canonical URI ({@link KeyValueStores#toUri}): absolute, ending in '/', e.g. {@code file:///data/em/}. */
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

    /** The context this array's stores, buffers and chunk stores belong to. */
    public BigArraysContext context() {
        return context;
    }

    public DataType dataType() {
        return info.dataType();
    }

    public int channels() {
        return info.numChannels();
    }

    /** The scale's voxel box {@code [voxel_offset, voxel_offset + size)}. */
    public Box bounds() {
        return chunks.grid().volume();
    }

    /** The chunk shape [x, y, z] of this scale. */
    public long[] chunkShape() {
        return chunks.grid().chunkShape();
    }

    /** The grid of this scale, for planning aligned boxes. */
    public ChunkGrid grid() {
        return chunks.grid();
    }

    /**
     * The chunk layer of this scale, for the array package (and tests through their accessor).
     * Users ask the narrow queries instead: {@link #storedCompression}, {@link #storedChunks},
     * {@link #storedBytes}, {@link #canListStored}, {@link #sharding}, {@link #writeUnit},
     * {@link #maxStoredChunkBytes}.
     */
    ScaleChunkStore chunks() {
        return chunks;
    }

    /**
     * The box shape in voxels {@code [x, y, z]} a write without read-modify-write must be made
     * of (anchored at the voxel offset, cut by the volume): a chunk, or a shard that is a block of
     * the grid (precomputed spatial shards, Zarr {@code sharding_indexed}); null when shards are
     * hashed over the whole volume, so only a write of the whole scale covers them.
     */
    public long[] writeUnit() {
        long[] chunk = chunkShape();
        if (!chunks.groupsChunks()) return chunk;
        long[] in = chunks.unitShapeInChunks();
        if (in == null) return null;
        return new long[] {Math.multiplyExact(in[0], chunk[0]), Math.multiplyExact(in[1], chunk[1]), Math.multiplyExact(in[2], chunk[2])};
    }

    /**
     * The most bytes one stored chunk of this scale may take as its codec writes or reads it (a
     * budget for reading it whole): the larger of the decoded chunk and the encoding's worst case.
     */
    public long maxStoredChunkBytes() {
        long[] c = chunkShape();
        var layout = new org.bigarrays.codec.ChunkLayout(c, channels(), dataType());
        long worst;
        try {
            worst = chunks.codec().pipeline().maxStoredSize(layout);
        } catch (org.bigarrays.FormatException unsupported) {
            worst = 0;
        }
        return Math.max(layout.byteSize(), worst);
    }

    /** The writer of this scale (package use: transcoding). */
    ChunkWriter writer() {
        return writer;
    }

    /**
     * Read {@code box} into new GC-managed memory: a Java array up to 16 GiB (so the garbage
     * collector sees the memory it manages: results read in a loop do not pile up off-heap until
     * the direct-memory limit stalls allocation), else an automatic arena.
     *
     * <p>Speed: a large result (on G1, half a heap region or more) is new heap memory each time;
     * while the heap grows, that memory is new to the process too, and its first touch costs the
     * operating system about as much as a raw read (under G1's defaults a loop of such reads
     * grows the heap towards its maximum). For a loop of large cutouts use
     * {@link #read(Box, NdView)} with a reused buffer, or bound the heap ({@code -Xmx}) so that
     * new results reuse the memory of dropped ones.
     */
    public NdView read(Box box) {
        checkRank(box, "read");
        NdView out = allocate(box);
        // The read writes each voxel once: a chunk, a missing chunk's fill, or the fill of the
        // part outside the volume (no longer the whole result filled first, then written again).
        Box vol = bounds();
        if (options.strict() || vol.contains(box)) {
            reader.read(box, out, readSettings());
            return out;
        }
        Box inside = box.intersect(vol);
        fillOutside(out, box, inside.isEmpty() ? null : inside);
        if (!inside.isEmpty()) reader.read(inside, out.subView(inside), readSettings());
        return out;
    }

    /**
     * Fill the voxels of {@code out} (the result of {@code box}) that lie outside {@code inside}
     * (null: all of them), as at most six slabs: the parts below and above {@code inside} along
     * x, then y, then z, each axis's slabs cut to what the previous axes left.
     */
    private void fillOutside(NdView out, Box box, Box inside) {
        long fill = readSettings().fillBits();
        if (inside == null) {
            out.fillBits(fill);
            return;
        }
        long[] lo = box.min(), hi = box.max();
        for (int d = 0; d < 3; d++) {
            if (lo[d] < inside.min(d)) {
                long[] h = hi.clone();
                h[d] = inside.min(d);
                out.subView(Box.of(lo.clone(), h)).fillBits(fill);
                lo[d] = inside.min(d);
            }
            if (hi[d] > inside.max(d)) {
                long[] l = lo.clone();
                l[d] = inside.max(d);
                out.subView(Box.of(l, hi.clone())).fillBits(fill);
                hi[d] = inside.max(d);
            }
        }
    }

    /** New GC-managed memory for the result of {@code box}: see {@link #read(Box)}. */
    private NdView allocate(Box box) {
        long bytes = resultBytes(box);
        if (bytes > 0 && bytes <= (Integer.MAX_VALUE - 8L) * Long.BYTES) {
            return NdView.wrap(MemorySegment.ofArray(new long[(int) Math.ceilDiv(bytes, Long.BYTES)]).asSlice(0, bytes), dataType(),
                    new long[] {box.min(0), box.min(1), box.min(2), 0}, new long[] {box.size(0), box.size(1), box.size(2), channels()});
        }
        return allocate(box, Arena.ofAuto());
    }

    private NdView allocate(Box box, Arena arena) {
        long[] origin = {box.min(0), box.min(1), box.min(2), 0};
        long[] shape = {box.size(0), box.size(1), box.size(2), channels()};
        // Big results come from the OS in huge pages, owned by the arena: the arena's own
        // allocation faulted and zeroed every 4 KiB page, which cost more than the read.
        long bytes = resultBytes(box);
        MemorySegment pages = bytes > 0 ? PageMemory.allocate(arena, bytes) : null;
        return pages != null ? NdView.wrap(pages, dataType(), origin, shape) : NdView.allocate(arena, dataType(), origin, shape);
    }

    /**
     * Read a batch of boxes (e.g. the patches a training-data loader samples) into new
     * GC-managed memory, as {@link #read(Box)} would one by one: the cutouts in request order.
     * Within the batch each chunk is fetched and decoded once, and on a sharded scale each shard
     * index entry and minishard index is read once, however the boxes overlap or repeat and
     * whatever the chunk cache holds; fetches run in parallel across boxes.
     *
     * <p>Memory: the results, plus the chunks being read (the executor's cap on tasks, each at
     * most 8 MiB of decoded chunks or one chunk), plus about 100 bytes per distinct chunk of the
     * batch for the plan. To stream results of a batch larger than memory, see
     * {@link #read(List, long, ObjIntConsumer)}.
     * @throws InvalidInputException naming the box ({@code boxes[i]}) that is not 3-D, whose
     *     result does not fit a long, or (strict) that is not inside the volume
     * @throws MissingChunkException (strict) naming a box that needs a chunk that does not exist
     * @throws org.bigarrays.CorruptChunkException when a chunk cannot be decoded
     * @throws org.bigarrays.StorageException when the store fails
     */
    public List<NdView> read(List<Box> boxes) {
        checkBatch(boxes);
        List<NdView> out = new ArrayList<>(boxes.size());
        for (Box b : boxes) out.add(allocate(b));
        batchReader.read(boxes, new int[] {boxes.size()}, out::get, (v, i) -> {}, 0, readSettings());
        return out;
    }

    /**
     * Read a batch of boxes into the caller's views ({@code into.get(i)} for {@code boxes.get(i)},
     * as {@link #read(Box, NdView)} takes them), each chunk fetched and decoded once: see
     * {@link #read(List)}. Memory: the chunks being read and the plan.
     * @throws InvalidInputException naming the box or destination ({@code boxes[i]}) that does not fit
     */
    public void read(List<Box> boxes, List<NdView> into) {
        checkBatch(boxes);
        if (into.size() != boxes.size()) throw new InvalidInputException("batch read: " + boxes.size() + " boxes but " + into.size() + " destinations");
        List<NdView> out = new ArrayList<>(boxes.size());
        for (int i = 0; i < boxes.size(); i++) out.add(as4d(into.get(i), boxes.get(i), "read destination boxes[" + i + "]"));
        batchReader.read(boxes, new int[] {boxes.size()}, out::get, (v, i) -> {}, 0, readSettings());
    }

    /**
     * Read a batch of boxes in bounded memory and hand each cutout with its index to
     * {@code each} ({@code (cutout, i)} for {@code boxes.get(i)}; valid only during the call),
     * each exactly once. The boxes are read in windows of boxes near one another (consecutive
     * in the Morton order of their corners' chunks) whose results total at most
     * {@code memoryBytes / 2} (a larger box is a window of its own), each window's cutouts in
     * request order, so a batch that fits one window comes in request order. Decoded chunks that
     * a later window needs are kept, up to {@code memoryBytes / 2}. Within the batch each shard
     * index entry and minishard index is read once, and each chunk fetched and decoded once
     * while the chunks shared between windows fit what is kept (else such a chunk is read
     * again: the return value counts them).
     *
     * <p>Memory: {@code memoryBytes} (or the largest box's result, if larger than half of it),
     * plus the chunks being read and the plan, as {@link #read(List)}.
     * @return how many chunks were read more than once (0 when the shared chunks fit)
     * @throws InvalidInputException as {@link #read(List)}, or on {@code memoryBytes < 2}
     */
    public long read(List<Box> boxes, long memoryBytes, ObjIntConsumer<NdView> each) {
        checkBatch(boxes);
        if (memoryBytes < 2) throw new InvalidInputException("batch read: memory bound " + memoryBytes + " bytes: expected ≥ 2");
        long window = memoryBytes / 2;
        int[] order = BatchReader.localityOrder(boxes, grid());
        List<Integer> ends = new ArrayList<>();
        long sum = 0;
        for (int k = 0; k < order.length; k++) {
            long b = resultBytes(boxes.get(order[k]));
            if (sum > 0 && sum + b > window) {
                ends.add(k);
                sum = 0;
            }
            sum += b;
        }
        ends.add(order.length);
        int[] windowEnds = ends.stream().mapToInt(Integer::intValue).toArray();
        // Each window's boxes in request order.
        for (int w = 0, from = 0; w < windowEnds.length; from = windowEnds[w++]) Arrays.sort(order, from, windowEnds[w]);
        List<Box> inOrder = new ArrayList<>(order.length);
        for (int k : order) inOrder.add(boxes.get(k));
        return batchReader.read(inOrder, windowEnds, k -> allocate(inOrder.get(k)), (v, k) -> each.accept(v, order[k]), memoryBytes - window,
                readSettings());
    }

    /** Every box of a batch checked, naming the first bad one by its index. */
    private void checkBatch(List<Box> boxes) {
        Box vol = bounds();
        for (int i = 0; i < boxes.size(); i++) {
            Box b = boxes.get(i);
            if (b == null) throw new InvalidInputException("batch read: boxes[" + i + "] is null");
            checkRank(b, "read boxes[" + i + "]:");
            if (resultBytes(b) < 0) {
                throw new InvalidInputException("read boxes[" + i + "]: box " + b + " of " + channels() + " channel(s) of " + dataType()
                        + " has more bytes than a long can count");
            }
            if (options.strict() && !vol.contains(b)) {
                throw new InvalidInputException("strict read boxes[" + i + "]: box " + b + " is not inside the volume " + vol + " of " + uri + " mip " + mip);
            }
        }
    }

    /** Read {@code box} into new memory allocated in {@code arena} (closing it frees the result). */
    public NdView read(Box box, Arena arena) {
        checkRank(box, "read");
        NdView out = allocate(box, arena);
        read(box, out);
        return out;
    }

    /** Bytes of the result of reading {@code box}, or -1 when that does not fit in a long (the allocation then fails with its own message). */
    private long resultBytes(Box box) {
        try {
            return Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(box.size(0), box.size(1)), box.size(2)),
                    (long) channels() * dataType().size());
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    // The settings of every read, made on first use (parsing the fill value for the type each time cost more than a small cutout).
    private volatile ChunkReader.Settings readSettings;

    private ChunkReader.Settings readSettings() {
        ChunkReader.Settings s = readSettings;
        if (s == null) readSettings = s = new ChunkReader.Settings(options.fillPattern(dataType()), options.strict(), options.progress()::update);
        return s;
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
        reader.read(box, out, readSettings());
    }

    /** The default memory bound of a streamed cutout's tile buffer: 256 MiB. */
    public static final long STREAM_MEMORY = 256L << 20;

    /**
     * Read {@code box} into {@code file}, streamed tile by tile ({@link #STREAM_MEMORY}): a
     * {@code .npy} file (shape x, y, z, c; Fortran order) when its name ends in {@code .npy}, else
     * raw little-endian bytes in that order. See {@link #read(Box, Path, long)}.
     * @return the bytes written
     */
    public long read(Box box, Path file) {
        return read(box, file, STREAM_MEMORY);
    }

    /**
     * Read {@code box} into {@code file} in memory bounded by {@code memoryBytes} for the tile
     * buffer (plus the chunk buffers of the reads in flight), so a cutout larger than RAM works.
     * The box's size, the output directory, the free disk space and whether one chunk fits the
     * bound are checked before any chunk is read. The file is written to a temporary sibling and
     * renamed over {@code file} at the end: a failure leaves nothing new behind.
     * @return the bytes written (header included)
     * @throws InvalidInputException on a box whose bytes overflow, a directory that is missing or
     *     not writable, too little disk space, a chunk larger than {@code memoryBytes}
     * @throws org.bigarrays.StorageException when reading chunks or writing the file fails
     */
    public long read(Box box, Path file, long memoryBytes) {
        return new StreamedCutout(this, box, file.getFileName() != null && file.getFileName().toString().endsWith(".npy"), memoryBytes).toFile(file);
    }

    /**
     * Write {@code box} to {@code out} in file order (with a {@code .npy} header if {@code npy}),
     * in tiles of at most {@code memoryBytes} (x-y slabs; bands of rows when a plane is larger):
     * e.g. to stdout or an HTTP response. Layers with several channels are read once per channel.
     * @return the bytes written
     */
    public long read(Box box, WritableByteChannel out, boolean npy, long memoryBytes) {
        return new StreamedCutout(this, box, npy, memoryBytes).toStream(out);
    }

    /**
     * Write {@code data} (rank 4 {@code [x,y,z,c]} or rank 3 for one channel) at its origin. The
     * box must lie inside the volume and be chunk-aligned (faces on chunk boundaries or the
     * volume's upper bound), unless {@link Options#readModifyWrite()} is set. Each chunk is
     * stored atomically, under one key whatever the compression. On a sharded scale the box must
     * also cover every chunk of each shard it touches (up to the volume's edge), unless
     * read-modify-write is set; each shard file is written once, atomically. Read-modify-write
     * is conditional: concurrent writers of disjoint parts of one chunk or shard all survive.
     * @throws InvalidInputException on a box outside the volume, an unaligned box (naming the
     *     nearest aligned one), or a type/channel mismatch
     * @throws org.bigarrays.ConflictException when a read-modify-write kept conflicting with
     *     other writers
     */
    public void write(NdView data) {
        long[] o = data.origin();
        Box box = Box.of(new long[] {o[0], o[1], o[2]}, new long[] {o[0] + data.shape()[0], o[1] + data.shape()[1], o[2] + data.shape()[2]});
        NdView src = as4d(data, box, "write source");
        warnIfNotViewable(options.compression());
        writer.write(box, src, new ChunkWriter.Settings(options.fillPattern(dataType()), options.readModifyWrite(), options.compression(), options.progress()::update,
                options.storeFillChunks(), options.zstdLevel()));
    }

    /** Warn (once per layer and context) when chunks are written in a compression Neuroglancer cannot read. */
    void warnIfNotViewable(Compression c) {
        // A Zarr layer's compressor is one of its codecs, which Neuroglancer's zarr source decodes (gzip, zstd, blosc).
        if (!(format instanceof org.bigarrays.precomputed.PrecomputedFormat)) return;
        if ((c == Compression.ZSTD || c == Compression.LZ4) && context.firstTime("compression " + c + " " + uri)) {
            Log.LOG.warn("chunks of {} are written with {} transport compression, which Neuroglancer cannot read (it reads raw and gzip chunks); "
                    + "use gzip for layers to be viewed", uri, c.name().toLowerCase(java.util.Locale.ROOT));
        }
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

    /** Releases the context if this array created it (closing a sibling leaves the shared context open). */
    @Override
    public void close() {
        if (ownsContext) context.close();
    }

    /**
     * The transport compression this scale's chunks are stored with (gzip, zstd, lz4 or none),
     * read from the magic number of the first stored chunk among the first 64 cells; for a sharded
     * scale, its shard data_encoding (gzip or none).
     * @return null when none of the probed cells of an unsharded scale is stored
     * @throws org.bigarrays.StorageException when the store fails
     */
    public Compression storedCompression() {
        org.bigarrays.sharding.ShardingSpec s = sharding();
        if (s != null) return s.dataEncoding();
        return chunks.storedCompression();
    }

    /** This scale's sharding, or null when each chunk has a key of its own. */
    public org.bigarrays.sharding.ShardingSpec sharding() {
        return chunks.isSharded() ? chunks.shards().spec() : null;
    }

    /**
     * What this scale stores: the cells of its chunks (from a listing of the scale directory, or
     * the shard indexes of a sharded scale), and the names that do not fit the grid.
     * @throws UnsupportedOperationException when the store cannot list its keys ({@link #canListStored})
     */
    public org.bigarrays.precomputed.StoredChunks storedChunks() {
        return chunks.stored();
    }

    /** Whether the store can list this scale's keys, which {@link #storedChunks} and {@link #storedBytes} need. */
    public boolean canListStored() {
        return chunks.store().listable();
    }

    /** The bytes this scale stores: its chunk objects, or its shard files. */
    public long storedBytes() {
        return chunks.storedBytes();
    }
}
