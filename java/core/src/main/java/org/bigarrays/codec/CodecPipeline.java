package org.bigarrays.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.bigarrays.CorruptChunkException;

/**
 * How chunks turn into stored bytes and back: an immutable, validated list of stages, built once
 * (per scale) and never changed: one array → bytes stage ({@link ArrayCodec}), then any bytes →
 * bytes stages ({@link BytesCodec}) applied in order when encoding and in reverse when decoding,
 * and, where the format allows it, a last {@link #withTransportDetection() transport-detection
 * stage} (compression chosen per write, recognised per read by magic number). Precomputed's
 * encodings map to stages in {@link Encoding#pipeline}. Thread-safe.
 */
public final class CodecPipeline {
    private final ArrayCodec array;
    private final List<BytesCodec> bytes;
    private final TransportStage transport; // null: stored values carry no transport compression
    private final boolean rawArray; // the array stage writes the chunk as it is: the first bytes stage decodes straight into the output
    private final boolean plain; // raw, and nothing follows but detection

    private CodecPipeline(ArrayCodec array, List<BytesCodec> bytes, TransportStage transport) {
        this.array = Objects.requireNonNull(array, "array stage");
        for (BytesCodec b : bytes) Objects.requireNonNull(b, "bytes stage");
        this.bytes = List.copyOf(bytes);
        if (transport != null && !this.bytes.isEmpty()) {
            // A bytes stage's output starts with its own magic number: it would be taken for transport compression.
            throw new IllegalArgumentException("transport compression cannot be detected after the bytes stages " + this.bytes);
        }
        this.transport = transport;
        this.rawArray = array instanceof RawCodec;
        this.plain = rawArray && this.bytes.isEmpty();
    }

    /**
     * The pipeline of {@code array} followed by {@code bytes} (in encoding order), without
     * transport detection.
     */
    public static CodecPipeline of(ArrayCodec array, BytesCodec... bytes) {
        return new CodecPipeline(array, List.of(bytes), null);
    }

    /**
     * This pipeline with a transport-detection stage last: for formats whose stored values may
     * carry a compression chosen per write (precomputed's unsharded chunks).
     * @throws IllegalArgumentException when this pipeline has bytes stages (their output would
     *     be mistaken for transport compression)
     */
    public CodecPipeline withTransportDetection() {
        return new CodecPipeline(array, bytes, TransportStage.INSTANCE);
    }

    /** The array → bytes stage. */
    public ArrayCodec arrayCodec() {
        return array;
    }

    /** The bytes → bytes stages, in encoding order. */
    public List<BytesCodec> bytesCodecs() {
        return bytes;
    }

    /** Whether stored values may carry transport compression (see {@link #withTransportDetection}). */
    public boolean detectsTransport() {
        return transport != null;
    }

    /**
     * Whether a stored chunk can be the chunk array as it is (raw, no whole-chunk bytes stage);
     * with transport detection, each value's verdict is {@link #decodeInPlace}'s.
     */
    public boolean storesPlain() {
        return plain;
    }

    /**
     * The most bytes a stored chunk of {@code layout} can take before transport compression: the
     * array stage's worst case, grown by each bytes stage (BigArrays.jl's encodings compress the
     * raw chunk, and a tiny or random chunk grows).
     */
    public long maxStoredSize(ChunkLayout layout) {
        long n = array.maxEncodedSize(layout);
        for (BytesCodec b : bytes) n = b.maxEncodedSize(n);
        return n;
    }

    /**
     * Decode one chunk's stored bytes into exactly {@code layout.byteSize()} bytes of {@code into};
     * never writes past them.
     * @throws CorruptChunkException naming {@code key} when the bytes are not a chunk of {@code layout}
     */
    public void decode(MemorySegment stored, ChunkLayout layout, MemorySegment into, String key) {
        long size = layout.byteSize();
        MemorySegment out = into.asSlice(0, size);
        if (bytes.isEmpty() && (transport == null || transport.plain(stored))) {
            array.decode(stored, layout, out, key);
            return;
        }
        if (rawArray && transport != null) { // no bytes stages here (validated): the chunk itself, transport-compressed
            if (transport.decode(stored, layout, size, out, key) < 0) array.decode(stored, layout, out, key); // plain after all
            return;
        }
        if (rawArray) { // bytes stages only (transport + raw returned above): the first stage decodes straight into out
            if (bytes.size() == 1) { // BigArrays.jl's raw + one stage: no buffer between stages
                decodeRawChunk(stored, layout, out, key);
                return;
            }
            try (Arena arena = Arena.ofConfined()) {
                decodeRawChunk(undoBytes(stored, layout, 1, arena, key), layout, out, key);
            }
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            array.decode(undoBytes(stored, layout, 0, arena, key), layout, out, key);
        }
    }

    /** The first bytes stage's input (a raw chunk compressed) decoded straight into {@code out}. */
    private void decodeRawChunk(MemorySegment in, ChunkLayout layout, MemorySegment out, String key) {
        BytesCodec b = bytes.getFirst();
        long n = b.decode(in, out, key);
        if (n != layout.byteSize()) throw new CorruptChunkException(key, b.name() + " chunk of " + layout + " decompresses to " + n + " bytes, expected " + layout.byteSize());
    }

    /**
     * Whether the array stage can decode part of a chunk straight into a strided destination
     * ({@link BoxDecoding}): then {@link #decodeBox} serves a cutout without a chunk buffer.
     */
    public boolean decodesBoxes() {
        return array instanceof BoxDecoding;
    }

    /**
     * Decode the sub-box at {@code boxMin} of {@code boxShape} (chunk coordinates) of one chunk's
     * stored bytes straight into {@code dst} (see {@link BoxDecoding#decodeBox}): the transport and
     * bytes stages are undone first, into a buffer, then the array stage writes each voxel of the
     * box once.
     * @throws IllegalStateException when the array stage cannot ({@link #decodesBoxes} is false)
     * @throws CorruptChunkException naming {@code key} when the bytes are not a chunk of {@code layout}
     */
    public void decodeBox(MemorySegment stored, ChunkLayout layout, long[] boxMin, long[] boxShape, MemorySegment dst, long dstOffset,
                          long[] dstStrides, String key) {
        if (!(array instanceof BoxDecoding boxes)) throw new IllegalStateException(array.name() + " cannot decode part of a chunk");
        if (bytes.isEmpty() && (transport == null || transport.plain(stored))) {
            boxes.decodeBox(stored, layout, boxMin, boxShape, dst, dstOffset, dstStrides, key);
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            boxes.decodeBox(undoBytes(stored, layout, 0, arena, key), layout, boxMin, boxShape, dst, dstOffset, dstStrides, key);
        }
    }

    /**
     * {@code stored} with the transport stage and the bytes stages down to (not including) stage
     * {@code downTo} undone, each into a buffer of {@code arena}: the input of stage
     * {@code downTo - 1}, or of the array stage for 0.
     */
    private MemorySegment undoBytes(MemorySegment stored, ChunkLayout layout, int downTo, Arena arena, String key) {
        MemorySegment cur = stored;
        if (transport != null) { // no bytes stages here (validated)
            MemorySegment dst = arena.allocate(Math.max(1, array.maxEncodedSize(layout)));
            long n = transport.decode(stored, layout, -1, dst, key);
            cur = n < 0 ? stored : dst.asSlice(0, n);
        }
        long[] capacity = capacities(layout);
        for (int i = bytes.size() - 1; i >= downTo; i--) {
            MemorySegment dst = arena.allocate(Math.max(1, capacity[i]));
            cur = dst.asSlice(0, bytes.get(i).decode(cur, dst, key));
        }
        return cur;
    }

    /** The capacity of each bytes stage's decoded output: what the stage before it can write at most. */
    private long[] capacities(ChunkLayout layout) {
        long[] c = new long[bytes.size()];
        long n = array.maxEncodedSize(layout);
        for (int i = 0; i < c.length; i++) {
            c[i] = n;
            n = bytes.get(i).maxEncodedSize(n);
        }
        return c;
    }

    /** The most leading bytes {@link #storedAsChunk} needs of a stored value (the longest magic number). */
    public static final int HEAD_BYTES = 4;

    /**
     * Whether a stored value of exactly the chunk's byte size that begins with {@code head} (its
     * first {@link #HEAD_BYTES} bytes, or all of a shorter value) is the chunk array as it is:
     * what {@link #decodeInPlace} would return as it is. A reader that put such a value's bytes
     * straight into place (a scattered file read, a response body placed as it arrived: see
     * {@link org.bigarrays.kvstore.BodySink}) asks this before keeping them.
     */
    public boolean storedAsChunk(MemorySegment head) {
        return plain && (transport == null || transport.plain(head));
    }

    /**
     * {@code stored} itself when it is the chunk array as it is (raw, no bytes stage, no transport
     * compression, exactly {@code layout.byteSize()} bytes), or the slice of it that a raw
     * pipeline's one bytes stage stored as it is ({@link BytesCodec#storedAsIs}: blosc's
     * uncompressed buffers), else null: the caller then {@link #decode}s into a buffer. Saves a
     * copy per chunk.
     */
    public MemorySegment decodeInPlace(MemorySegment stored, ChunkLayout layout, String key) {
        if (rawArray && transport == null && bytes.size() == 1) { // raw + one stage that may have stored the chunk as it is (blosc)
            MemorySegment asIs = bytes.getFirst().storedAsIs(stored, key);
            if (asIs == null) return null;
            if (asIs.byteSize() != layout.byteSize()) {
                throw new CorruptChunkException(key, bytes.getFirst().name() + " chunk of " + layout + " decompresses to " + asIs.byteSize() + " bytes, expected " + layout.byteSize());
            }
            return asIs;
        }
        if (!plain || stored.byteSize() != layout.byteSize()) return null;
        if (transport != null && !transport.plain(stored)) return null; // ambiguous: decode() decides
        return stored;
    }

    /**
     * The bytes to store for a dense chunk ({@code layout.byteSize()} bytes): the stages in order,
     * then {@code transport} where this pipeline detects it (elsewhere it is not applied: see
     * {@link #effective}).
     */
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout, Compression transport) {
        return encode(chunk, layout, transport, ZstdCodec.LEVEL);
    }

    /**
     * {@link #encode(MemorySegment, ChunkLayout, Compression)} with zstd (the transport, or a
     * zstd bytes stage) written at {@code zstdLevel}.
     */
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout, Compression transport, int zstdLevel) {
        MemorySegment c = array.encode(chunk.asSlice(0, layout.byteSize()), layout);
        for (BytesCodec b : bytes) c = (b instanceof ZstdCodec ? ZstdCodec.atLevel(zstdLevel) : b).encode(c);
        return this.transport == null ? c : this.transport.encode(c, transport, zstdLevel);
    }

    /** The transport compression {@link #encode} applies for {@code requested}: NONE without transport detection. */
    public Compression effective(Compression requested) {
        return transport == null ? Compression.NONE : requested;
    }

    /** The stages, in encoding order. */
    @Override
    public String toString() {
        List<Object> stages = new ArrayList<>();
        stages.add(array);
        stages.addAll(bytes);
        if (transport != null) stages.add(transport);
        return stages.toString();
    }
}
