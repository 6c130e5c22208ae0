package org.bigarrays.array;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.bigarrays.InvalidInputException;
import org.bigarrays.chunk.ChunkExecutor;
import org.bigarrays.core.Box;
import org.bigarrays.core.CellRange;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.precomputed.DecodedChunk;
import org.bigarrays.precomputed.Scale;
import org.bigarrays.precomputed.ScaleChunkStore;
import org.bigarrays.precomputed.StoredChunks;

/**
 * Checks a layer against its info: every stored chunk of each scale is fetched and decoded (in
 * parallel, on the chunk executor, through the same decode path as a cutout, native kernels
 * included), and each one that does not decode is named with the reason; grid cells with no
 * stored chunk are counted (normal for sparse layers: reported, not an error); chunk names that
 * are no cell of the grid, unreadable shard indexes, unfinished jobs and stray files (temp
 * files, locks, names that are no part of a precomputed layer) are listed. The CLI's
 * {@code verify} command calls this.
 *
 * <pre>{@code
 * Verify.Report r = Verify.run("file:///data/em", -1, null, Options.defaults());
 * if (!r.clean()) r.scales().forEach(s -> s.corrupt().forEach(System.out::println));
 * }</pre>
 */
public final class Verify {
    /** The key of a job record under the layer: its presence means a job has not finished. */
    public static final String JOB_RECORD_KEY = ".bigarrays-job/record.json";
    /** The record of earlier ingests; {@code "complete": false} means one has not finished. */
    public static final String LEGACY_INGEST_KEY = "ingest/source.json";
    /** How many missing chunk keys a scale's report names (the count covers all). */
    public static final int MISSING_EXAMPLES = 5;

    private static final Pattern CHUNK_NAME = Pattern.compile("-?\\d+--?\\d+_-?\\d+--?\\d+_-?\\d+--?\\d+(\\.gz|\\.zstd|\\.br)?");
    private static final Pattern SHARD_NAME = Pattern.compile("[0-9a-f]{1,16}\\.shard");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Verify() {}

    /** A stored thing that is wrong: a chunk key (or shard file, chunk id), and why. */
    public record Problem(String key, String reason) {
        @Override
        public String toString() {
            return key + ": " + reason;
        }
    }

    /**
     * What one scale holds within the checked box.
     * @param cells grid cells in the box
     * @param stored chunks stored in the box (decoded, whether or not they decoded cleanly)
     * @param missing cells in the box with no stored chunk
     * @param firstMissing the keys of the first {@value #MISSING_EXAMPLES} missing chunks
     * @param corrupt chunks that did not decode, chunk names that are no cell of the grid, unreadable shard indexes
     * @param unread chunks stored only under names BigArrays does not read ({@code .br})
     * @param shadowed chunk names never read because the chunk is also stored under a name read
     *     first (a writer died switching the chunk's names; its next write removes them), each
     *     with that name
     * @param bytes stored bytes of the chunks read (after a shard's data_encoding is undone)
     */
    public record ScaleReport(int mip, String key, boolean sharded, long cells, long stored, long missing, List<String> firstMissing,
                              List<Problem> corrupt, List<String> unread, List<Problem> shadowed, long bytes) {}

    /**
     * The whole check.
     * @param unfinishedJobs one line per job that has not finished ("unfinished job: COMMAND")
     * @param strays keys (paths relative to the layer) that are no part of a precomputed layer
     */
    public record Report(String url, List<ScaleReport> scales, List<String> unfinishedJobs, List<String> strays, double seconds) {
        /** Corrupt chunks, bad chunk names and bad shard indexes, all scales. */
        public long corruptCount() {
            return scales.stream().mapToLong(s -> s.corrupt().size()).sum();
        }

        /** Whether nothing is corrupt (missing chunks, unfinished jobs and strays are only reported). */
        public boolean clean() {
            return corruptCount() == 0;
        }

        /** The report as a JSON object. */
        public String toJson() {
            JsonNodeFactory f = JsonNodeFactory.instance;
            ObjectNode o = f.objectNode();
            o.put("url", url);
            o.put("clean", clean());
            o.put("corrupt", corruptCount());
            ArrayNode sc = o.putArray("scales");
            for (ScaleReport s : scales) {
                ObjectNode n = sc.addObject();
                n.put("mip", s.mip()).put("key", s.key()).put("sharded", s.sharded()).put("cells", s.cells()).put("stored", s.stored())
                        .put("missing", s.missing()).put("bytes", s.bytes());
                ArrayNode m = n.putArray("first_missing");
                s.firstMissing().forEach(m::add);
                ArrayNode c = n.putArray("corrupt");
                for (Problem p : s.corrupt()) c.addObject().put("key", p.key()).put("reason", p.reason());
                ArrayNode u = n.putArray("unread");
                s.unread().forEach(u::add);
                ArrayNode sh = n.putArray("shadowed");
                for (Problem p : s.shadowed()) sh.addObject().put("key", p.key()).put("reason", p.reason());
            }
            ArrayNode j = o.putArray("unfinished_jobs");
            unfinishedJobs.forEach(j::add);
            ArrayNode st = o.putArray("strays");
            strays.forEach(st::add);
            o.put("seconds", Math.round(seconds * 1000) / 1000.0);
            return o.toPrettyString();
        }
    }

    /**
     * Verify the layer at {@code url}.
     * @param mip the scale to check, or -1 for every scale
     * @param box voxels of scale {@code mip} to check (null: the whole volume); needs a mip ≥ 0
     * @param options threads, I/O concurrency and progress (told of each stored chunk decoded)
     * @throws InvalidInputException on a mip the layer does not have, or a box without a mip, or
     *     a box that does not overlap the volume
     */
    public static Report run(String url, int mip, Box box, Options options) {
        long t0 = System.nanoTime();
        try (BigArraysContext ctx = BigArraysContext.create(0)) {
            BigArray layer = BigArray.open(url, options.withProgress(ProgressListener.NONE), ctx);
            int n = layer.info().scales().size();
            if (mip < -1 || mip >= n) throw new InvalidInputException("--mip " + mip + ": the layer has mips 0.." + (n - 1));
            if (box != null && mip < 0) throw new InvalidInputException("a box needs a mip: its coordinates are voxels of one scale");
            if (box != null && box.rank() != 3) throw new InvalidInputException("box " + box + ": expected x0,y0,z0:x1,y1,z1");
            // Strays before listings: a file store's listing removes temp files older than an hour.
            KeyValueStore root = ctx.store(layer.uri());
            List<String> strays = strays(layer.uri(), root, layer.info().scales(), layer.format().equals("precomputed"));
            List<Integer> mips = new ArrayList<>();
            for (int m = 0; m < n; m++) if (mip < 0 || m == mip) mips.add(m);
            // Listings first (cheap), so that progress knows its total before any chunk is read.
            List<StoredChunks> listings = new ArrayList<>();
            List<CellRange> ranges = new ArrayList<>();
            long total = 0;
            for (int m : mips) {
                ScaleChunkStore chunks = layer.mip(m).chunks();
                CellRange range = chunks.grid().allCells();
                if (box != null) {
                    Box in = box.intersect(chunks.grid().volume());
                    if (in.isEmpty()) throw new InvalidInputException("box " + box + " does not overlap mip " + m + "'s volume " + chunks.grid().volume());
                    range = chunks.grid().cellRange(in);
                }
                StoredChunks s = chunks.stored();
                listings.add(s);
                ranges.add(range);
                total += s.countIn(range);
            }
            AtomicLong done = new AtomicLong();
            List<ScaleReport> scales = new ArrayList<>();
            ChunkExecutor executor = ctx.executor(options.cpuThreads(), options.ioConcurrency());
            for (int i = 0; i < mips.size(); i++) {
                scales.add(checkScale(layer.mip(mips.get(i)), listings.get(i), ranges.get(i), box != null, executor, done, total, options.progress()));
            }
            List<String> jobs = unfinishedJobs(root);
            return new Report(layer.uri().toString(), scales, jobs, strays, (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Decode every stored chunk of {@code range}; count the rest as missing. */
    private static ScaleReport checkScale(BigArray a, StoredChunks stored, CellRange range, boolean boxed, ChunkExecutor executor,
                                          AtomicLong done, long total, ProgressListener progress) {
        ScaleChunkStore chunks = a.chunks();
        String dir = a.scaleDirectory().isEmpty() ? "" : a.scaleDirectory() + "/"; // a lone Zarr array's chunks lie under the root
        List<Problem> corrupt = Collections.synchronizedList(new ArrayList<>());
        // Names and shard files that are wrong whatever the box (a box cannot say where they would be).
        if (!boxed) {
            for (StoredChunks.Problem p : stored.badKeys()) corrupt.add(new Problem(dir + p.key(), "not a chunk of this scale: " + p.reason()));
        }
        for (StoredChunks.Problem p : stored.badShards()) corrupt.add(new Problem(dir + p.key(), "bad shard index: " + p.reason()));
        AtomicLong bytes = new AtomicLong();
        List<long[]> cells = stored.cellsIn(range);
        Iterator<long[]> it = cells.iterator();
        executor.run(new Iterator<ChunkExecutor.ChunkTask<Object, Problem>>() {
            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public ChunkExecutor.ChunkTask<Object, Problem> next() {
                long[] cell = it.next();
                return new ChunkExecutor.ChunkTask<>() {
                    @Override
                    public Object fetch() {
                        try {
                            return chunks.fetch(cell);
                        } catch (RuntimeException e) { // a malformed shard: the chunk cannot even be found
                            return e;
                        }
                    }

                    @Override
                    public Problem process(Object fetched) {
                        if (fetched instanceof RuntimeException e) return problem(dir, chunks, cell, e);
                        ReadResult r = (ReadResult) fetched;
                        if (r.found()) bytes.addAndGet(r.bytes().byteSize());
                        try (DecodedChunk c = chunks.decode(cell, r)) { // owns r now
                            return null;
                        } catch (RuntimeException e) {
                            return problem(dir, chunks, cell, e);
                        }
                    }

                    @Override
                    public void store(Problem p) {
                        if (p != null) corrupt.add(p);
                        progress.update(done.incrementAndGet(), total);
                    }
                };
            }
        }, x -> {});
        List<String> firstMissing = new ArrayList<>();
        if (cells.size() < range.count()) {
            // Pieces, so that a big, fully stored grid is not walked cell by cell past the examples.
            for (Iterator<CellRange> pieces = range.split(1 << 16); pieces.hasNext() && firstMissing.size() < MISSING_EXAMPLES; ) {
                pieces.next().forEach(cell -> {
                    if (firstMissing.size() < MISSING_EXAMPLES && !stored.contains(cell)) firstMissing.add(dir + chunks.key(cell));
                });
            }
        }
        List<Problem> sortedCorrupt = new ArrayList<>(corrupt);
        sortedCorrupt.sort((x, y) -> x.key().compareTo(y.key()));
        List<String> unread = new ArrayList<>();
        for (String u : stored.unreadNames()) unread.add(dir + u);
        List<Problem> shadowed = new ArrayList<>();
        for (StoredChunks.Problem p : stored.shadowedNames()) {
            shadowed.add(new Problem(dir + p.key(), p.reason()));
        }
        long storedIn = cells.size();
        return new ScaleReport(a.mip(), chunks.scale().key(), chunks.groupsChunks(), range.count(), storedIn, range.count() - storedIn,
                firstMissing, sortedCorrupt, unread, shadowed, bytes.get());
    }

    /** A chunk that failed: its key and the reason, without the key said twice. */
    private static Problem problem(String dir, ScaleChunkStore chunks, long[] cell, RuntimeException e) {
        String m = e instanceof org.bigarrays.CorruptChunkException c ? e.getMessage().substring(("corrupt chunk '" + c.key() + "': ").length())
                : e.getMessage() != null ? e.getMessage() : e.toString();
        return new Problem(dir + chunks.key(cell), m.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim());
    }

    /** The job record's command, and an ingest whose legacy record says it is not complete. */
    private static List<String> unfinishedJobs(KeyValueStore root) {
        List<String> out = new ArrayList<>();
        try (ReadResult r = root.read(JOB_RECORD_KEY)) {
            if (r.found()) {
                String command = null;
                try {
                    JsonNode n = JSON.readTree(r.toByteArray());
                    if (n != null && n.path("command").isTextual()) command = n.path("command").asText();
                } catch (IOException unreadable) {
                    // still unfinished: say so without the command
                }
                out.add("unfinished job: " + (command != null ? command : "(" + JOB_RECORD_KEY + " is not JSON with a 'command')"));
            }
        }
        try (ReadResult r = root.read(LEGACY_INGEST_KEY)) {
            if (r.found()) {
                boolean complete = false;
                try {
                    complete = JSON.readTree(r.toByteArray()).path("complete").asBoolean(false);
                } catch (IOException unreadable) {
                    // not complete, as far as anyone can tell
                }
                if (!complete) out.add("unfinished job: ingest (" + LEGACY_INGEST_KEY + " has \"complete\": false)");
            }
        }
        return out;
    }

    /**
     * Keys under the layer that are no part of it: everything but {@code info}, {@code provenance},
     * job records, lock files, and chunk names or shard files directly under a scale's directory.
     * A local layer's directory is walked (the store's own listing hides temp files, which count
     * as stray: a writer died or is running).
     */
    private static List<String> strays(URI uri, KeyValueStore root, List<Scale> scales, boolean precomputed) {
        List<String> keys = new ArrayList<>();
        if ("file".equals(uri.getScheme())) {
            Path dir = Path.of(uri.getPath());
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.filter(Files::isRegularFile).forEach(p -> keys.add(dir.relativize(p).toString().replace('\\', '/')));
            } catch (IOException e) {
                throw new UncheckedIOException("listing " + dir + ": " + e.getMessage(), e);
            }
        } else {
            keys.addAll(root.list(""));
        }
        List<String> out = new ArrayList<>();
        for (String k : keys) if (precomputed ? isStray(k, scales) : isTemporary(k)) out.add(k);
        Collections.sort(out);
        return out;
    }

    /**
     * Whether {@code k} is a writer's temp file (the file store's per-key lock, a cutout's, an older
     * version's) whose writer died mid-write or is writing now, or the per-directory lock file of
     * older versions: none is part of any format (the next write into the directory removes dead
     * writers' files). The only strays of a Zarr layer, whose chunk key names are the array's to choose.
     */
    static boolean isTemporary(String k) {
        String name = k.substring(k.lastIndexOf('/') + 1);
        return name.startsWith(".") && (name.contains(".tmp-") || name.endsWith(".__lock") || name.contains(".bigarrays-tmp-"))
                || name.equals(".bigarrays.lock");
    }

    /** Whether layer key {@code k} is no part of a precomputed layer (see {@link #strays}). */
    static boolean isStray(String k, List<Scale> scales) {
        if (isTemporary(k)) return true;
        String name = k.substring(k.lastIndexOf('/') + 1);
        if (k.equals("info") || k.equals("provenance") || k.equals(LEGACY_INGEST_KEY) || k.startsWith("ingest/done/")) return false;
        if (k.startsWith(".bigarrays-job/")) return false; // a job's own state: reported as an unfinished job
        for (Scale s : scales) {
            String prefix = s.key() + "/";
            if (k.startsWith(prefix) && k.indexOf('/', prefix.length()) < 0) {
                return !(CHUNK_NAME.matcher(name).matches() || SHARD_NAME.matcher(name).matches());
            }
        }
        return true;
    }
}
