package org.bigarrays.array;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.Box;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.WriteOptions;
import org.bigarrays.kvstore.WriteResult;

/**
 * The record of a long job that writes into a layer ({@code transcode}, {@code downsample},
 * {@code ingest}, the Spark jobs), kept in the layer while the job runs so that a rerun after an
 * interruption resumes it. One mechanism for every job:
 * <ul>
 * <li>{@value #RECORD_KEY}: the command and its fingerprint (source, options, the info it will
 *     publish), as named fields. A rerun with other fields is refused, naming each that differs.</li>
 * <li>{@value #DONE_PREFIX}{@code <task>}: an empty marker per finished task (a box or a group of
 *     chunks), written after every chunk of the task is stored. Markers rather than one record
 *     rewritten per task: concurrent writers (Spark tasks) commit without read-modify-write, and a
 *     resume is one LIST instead of a HEAD per chunk.</li>
 * </ul>
 * Jobs publish last: the {@code info} (or the info's new scales) is written after every task is
 * done, then the record is removed ({@link #finish}), so a layer holds only what the format
 * defines once a job has finished, and nothing a reader can open shows unwritten data.
 */
public final class JobRecord {
    /** The folder of the record in the layer. */
    public static final String DIR = ".bigarrays-job/";
    /** The record's key. */
    public static final String RECORD_KEY = DIR + "record.json";
    /** The prefix of the per-task markers. */
    public static final String DONE_PREFIX = DIR + "done/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KeyValueStore layer;
    private final String command;
    private final Set<String> done;

    private JobRecord(KeyValueStore layer, String command, Set<String> done) {
        this.layer = layer;
        this.command = command;
        this.done = done;
    }

    /**
     * Start a job in {@code layer}, or resume the unfinished one recorded there.
     * @param command the job's name, as the user types it ({@code transcode}, {@code spark downsample})
     * @param fields the job's fingerprint, in the order to report them: everything that decides
     *     what the job writes (source, options, the info it publishes)
     * @param restart discard a recorded job with other fields instead of refusing
     * @throws InvalidInputException when another job, or this job with other fields, is recorded
     *     there (naming each field that differs and how to start over)
     */
    public static JobRecord begin(KeyValueStore layer, String command, Map<String, String> fields, boolean restart) {
        JsonNode rec = read(layer);
        if (rec != null) {
            String recorded = rec.path("command").asText();
            List<String> diffs = differences(recorded, command, rec.path("fields"), fields);
            if (diffs.isEmpty()) return new JobRecord(layer, command, doneTasks(layer));
            if (!restart) {
                throw new InvalidInputException("an unfinished '" + recorded + "' job is recorded at " + layer.uri() + DIR + " with other settings ("
                        + String.join("; ", diffs) + "): rerun it with the recorded settings to resume it, or add --restart to start over");
            }
            discard(layer);
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("command", command);
        n.put("started", Instant.now().toString());
        ObjectNode f = n.putObject("fields");
        fields.forEach(f::put);
        byte[] bytes = n.toPrettyString().getBytes(StandardCharsets.UTF_8);
        // ifMissing: of two jobs started at once on one layer, one records itself, the other is refused.
        WriteResult w = layer.write(RECORD_KEY, MemorySegment.ofArray(bytes), WriteOptions.ifMissing());
        if (!w.written()) {
            throw new InvalidInputException("another job recorded itself at " + layer.uri() + RECORD_KEY + " just now: run one job per layer at a time");
        }
        return new JobRecord(layer, command, new HashSet<>());
    }

    /**
     * Start or resume a job that writes a new layer into {@code root}: refused when a finished
     * layer is there (an info and no job record), or the unfinished ingest of an earlier version.
     */
    public static JobRecord beginNewLayer(KeyValueStore root, String command, Map<String, String> fields, boolean restart) {
        if (root.exists(LEGACY_INGEST_RECORD)) {
            throw new InvalidInputException(root.uri() + " holds an unfinished ingest of an earlier version (" + LEGACY_INGEST_RECORD
                    + "): remove that folder and ingest again, or choose a new destination");
        }
        if (recordedCommand(root) == null) {
            String key = LayerFormats.existingMetadataKey(root); // a finished layer of any format
            if (key != null) throw new InvalidInputException("a layer already exists at " + root.uri() + " (found its " + key + "): choose a new destination");
        }
        return begin(root, command, fields, restart);
    }

    /** The record of BigArrays' first resumable ingest, before this one. */
    public static final String LEGACY_INGEST_RECORD = "ingest/source.json";

    /** The recorded job's command, or null when no job is recorded in {@code layer}. */
    public static String recordedCommand(KeyValueStore layer) {
        JsonNode rec = read(layer);
        return rec == null ? null : rec.path("command").asText();
    }

    /** The job's command. */
    public String command() {
        return command;
    }

    /** Whether an earlier run finished {@code task}. */
    public boolean isDone(String task) {
        return done.contains(task);
    }

    /** How many tasks earlier runs finished. */
    public int doneCount() {
        return done.size();
    }

    /** Record that every chunk of {@code task} is stored (call after its writes returned). */
    public void markDone(String task) {
        markDone(layer, task);
        synchronized (done) {
            done.add(task);
        }
    }

    /** As {@link #markDone(String)}, on the layer's root store (for workers that hold no record: Spark tasks). */
    public static void markDone(KeyValueStore layer, String task) {
        layer.write(DONE_PREFIX + task, MemorySegment.ofArray(new byte[0]));
    }

    /** Remove the record: call once the job's result is published. Markers first, so a crash in between leaves a record a rerun finishes. */
    public void finish() {
        discard(layer);
    }

    private static void discard(KeyValueStore layer) {
        for (String k : layer.list(DONE_PREFIX)) layer.delete(k);
        for (String k : layer.list(DIR)) {
            if (!k.equals(RECORD_KEY)) layer.delete(k);
        }
        layer.delete(RECORD_KEY);
    }

    /** A task's name for a box of mip {@code mip}: {@code m<mip>_x0-x1_y0-y1_z0-z1}, as chunk keys are spelled. */
    public static String task(int mip, Box b) {
        StringBuilder s = new StringBuilder("m").append(mip);
        for (int d = 0; d < b.rank(); d++) s.append('_').append(b.min(d)).append('-').append(b.max(d));
        return s.toString();
    }

    /**
     * Record {@code options}' zstd level among a job's {@code fields} when it is not the default,
     * so that a rerun at another level is another job (records of default-level runs stay as
     * they were).
     */
    public static void putZstdLevel(Map<String, String> fields, Options options) {
        if (options.zstdLevel() != org.bigarrays.codec.ZstdCodec.LEVEL) fields.put("zstd level", Integer.toString(options.zstdLevel()));
    }

    private static List<String> differences(String recordedCommand, String command, JsonNode recorded, Map<String, String> fields) {
        List<String> out = new ArrayList<>();
        if (!recordedCommand.equals(command)) out.add("command: recorded '" + recordedCommand + "', now '" + command + "'");
        Map<String, String> old = new LinkedHashMap<>();
        recorded.properties().forEach(e -> old.put(e.getKey(), e.getValue().asText()));
        for (Map.Entry<String, String> e : fields.entrySet()) {
            String was = old.remove(e.getKey());
            if (!e.getValue().equals(was)) out.add(e.getKey() + ": recorded " + shorten(was) + ", now " + shorten(e.getValue()));
        }
        for (String k : old.keySet()) out.add(k + ": recorded " + shorten(old.get(k)) + ", now none");
        return out;
    }

    /** A field's value for a one-line message: long ones (an info) are cut. */
    private static String shorten(String v) {
        if (v == null) return "none";
        return v.length() <= 80 ? "'" + v + "'" : "'" + v.substring(0, 77) + "...'";
    }

    private static Set<String> doneTasks(KeyValueStore layer) {
        Set<String> done = new HashSet<>();
        for (String k : layer.list(DONE_PREFIX)) done.add(k.substring(DONE_PREFIX.length()));
        return done;
    }

    private static JsonNode read(KeyValueStore layer) {
        try (ReadResult r = layer.read(RECORD_KEY)) {
            if (!r.found()) return null;
            return JSON.readTree(r.toByteArray());
        } catch (IOException e) {
            throw new FormatException(layer.uri() + RECORD_KEY + ": not valid JSON (" + e.getMessage() + "): remove " + DIR + " to start over");
        }
    }
}
