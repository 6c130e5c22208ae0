package org.bigarrays.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.Options;
import org.bigarrays.core.Box;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.precomputed.Info;

/**
 * What an ingest has finished, kept in the layer itself so that a rerun after a crash or kill
 * skips it. Two kinds of keys under {@code ingest/}:
 * <ul>
 * <li>{@code ingest/source.json}: the source's fingerprint (file names and sizes), the info the
 *     ingest writes, and {@code complete}. Written before the layer's info, so a layer with an
 *     info but no record was not made by an unfinished ingest and is never written into.</li>
 * <li>{@code ingest/done/<box>}: an empty marker per box, written after every chunk (or shard)
 *     of the box has been stored. A box without its marker is written again whole (chunk writes
 *     are atomic and whole, so a half-written box is simply overwritten).</li>
 * </ul>
 * Why markers and not a check of the chunks: one small PUT per box (hundreds of chunks) costs
 * nothing next to the box, and a resume is one LIST of {@code ingest/done/} instead of a HEAD per
 * chunk of a layer of millions; a marker per box rather than one record rewritten after each box
 * lets concurrent writers (Spark tasks) commit without read-modify-write. When every box is done
 * the record is marked complete and the markers are deleted.
 */
public final class IngestRecord {
    /** The record's key in the layer. */
    public static final String SOURCE_KEY = "ingest/source.json";
    /** The prefix of the per-box markers. */
    public static final String DONE_PREFIX = "ingest/done/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KeyValueStore root;
    private final BigArray array;
    private final Set<String> done;
    private final boolean complete;

    private IngestRecord(KeyValueStore root, BigArray array, Set<String> done, boolean complete) {
        this.root = root;
        this.array = array;
        this.done = done;
        this.complete = complete;
    }

    /**
     * Start or resume an ingest into {@code dstUrl}: create the layer (record first, then info),
     * or find the record of an unfinished ingest of the same source with the same info.
     * @param sourceId the source's fingerprint; a different one refuses to resume
     * @throws InvalidInputException when a layer exists there that is not an ingest of this
     *     source with this info (naming what differs)
     */
    public static IngestRecord begin(String dstUrl, Info info, String sourceId, Options options, BigArraysContext ctx) {
        KeyValueStore root = ctx.store(KeyValueStores.toUri(dstUrl));
        String infoJson = info.toJson();
        JsonNode rec = readRecord(root);
        boolean hasInfo = root.exists("info");
        if (rec == null) {
            if (hasInfo) {
                throw new InvalidInputException("a layer already exists at " + root.uri() + " and it is not an unfinished ingest (no "
                        + SOURCE_KEY + "): choose a new destination");
            }
            writeRecord(root, sourceId, infoJson, false);
        } else {
            String oldSource = rec.path("source").asText();
            String oldInfo = rec.path("info").asText();
            if (!oldSource.equals(sourceId)) {
                throw new InvalidInputException(root.uri() + " holds an ingest of another source (expected " + sourceId + ", found "
                        + oldSource + "): choose a new destination");
            }
            // Compared as parsed and written again by this runtime, so another Jackson's formatting (the Spark module's) still resumes.
            if (!sameInfo(oldInfo, infoJson)) {
                throw new InvalidInputException(root.uri() + " holds an ingest of this source with other settings (its " + SOURCE_KEY
                        + " has another info): rerun with the same options, or choose a new destination");
            }
        }
        BigArray a = hasInfo ? BigArray.open(dstUrl, options, ctx) : BigArray.create(dstUrl, info, options, ctx);
        boolean complete = rec != null && rec.path("complete").asBoolean(false);
        Set<String> done = new HashSet<>();
        for (String k : root.list(DONE_PREFIX)) done.add(k.substring(DONE_PREFIX.length()));
        return new IngestRecord(root, a, done, complete);
    }

    private static boolean sameInfo(String recorded, String infoJson) {
        try {
            return Info.parse(recorded, SOURCE_KEY).toJson().equals(infoJson);
        } catch (FormatException | InvalidInputException e) {
            return false;
        }
    }

    private static JsonNode readRecord(KeyValueStore root) {
        try (ReadResult r = root.read(SOURCE_KEY)) {
            if (!r.found()) return null;
            return JSON.readTree(r.toByteArray());
        } catch (IOException e) {
            throw new FormatException(root.uri() + SOURCE_KEY + ": not valid JSON: " + e.getMessage());
        }
    }

    private static void writeRecord(KeyValueStore root, String sourceId, String infoJson, boolean complete) {
        ObjectNode n = JSON.createObjectNode();
        n.put("source", sourceId);
        n.put("info", infoJson);
        n.put("complete", complete);
        root.write(SOURCE_KEY, MemorySegment.ofArray(n.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** The layer (mip 0), created or opened. */
    public BigArray array() {
        return array;
    }

    /** Whether an earlier run finished the ingest. */
    public boolean complete() {
        return complete;
    }

    /** Whether {@code box} was finished by an earlier run. */
    public boolean isDone(Box box) {
        return complete || done.contains(name(box));
    }

    /** Record that every chunk of {@code box} is stored (call after its write returned). */
    public void markDone(Box box) {
        markDone(root, box);
    }

    /** As {@link #markDone(Box)}, on the layer's root store (for workers that have no record object). */
    public static void markDone(KeyValueStore root, Box box) {
        root.write(DONE_PREFIX + name(box), MemorySegment.ofArray(new byte[0]));
    }

    /** Mark the ingest complete, then delete the markers (a crash in between leaves markers a rerun deletes). */
    public void finish() {
        ObjectNode rec = (ObjectNode) readRecord(root);
        writeRecord(root, rec.path("source").asText(), rec.path("info").asText(), true);
        for (String k : root.list(DONE_PREFIX)) root.delete(k);
    }

    /** A box's marker name: {@code x0-x1_y0-y1_z0-z1}, as chunk keys are spelled. */
    static String name(Box b) {
        return b.min(0) + "-" + b.max(0) + "_" + b.min(1) + "-" + b.max(1) + "_" + b.min(2) + "-" + b.max(2);
    }
}
