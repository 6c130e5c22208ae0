package org.bigarrays.zarr;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.bigarrays.codec.ArrayCodec;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.zarr.codec.ZarrCodecPipeline;

/**
 * A Zarr array's codecs as the chunk layer's array stage: between the library's chunk (x
 * fastest, cut at the volume's edge, {@link ChunkLayout}) and a stored Zarr chunk (whole chunk
 * shape, C order over the stored dimensions, decoded by the {@link ZarrCodecPipeline}). Where the
 * stored dimensions already are the library's layout ({@link AxisMapping#isLibraryLayout}) and
 * the chunk is whole, the pipeline decodes straight into the output; otherwise through one
 * scratch chunk and a strided copy (the stated axis mapping, and the edge cut). Writing pads an
 * edge chunk with the array's fill value, as Zarr stores every chunk whole. Immutable.
 */
final class ZarrChunkCodec implements ArrayCodec {
    private final ZarrCodecPipeline pipeline;
    private final AxisMapping axes;
    private final DataType type;
    private final long[] storedStrides; // byte strides of the decoded stored chunk, per stored dimension
    private final long[] libraryChunk; // the whole chunk as [x, y, z, c]
    private final boolean libraryLayout;
    private final long fillBits;
    private final ChannelGroups groups;

    ZarrChunkCodec(ZarrCodecPipeline pipeline, AxisMapping axes, FillValue fill, ChannelGroups groups) {
        this.groups = groups;
        this.pipeline = pipeline;
        this.axes = axes;
        this.type = pipeline.dataType();
        long[] shape = pipeline.chunkShape();
        this.storedStrides = NdView.cOrderStrides(shape, type.size());
        this.libraryChunk = axes.toLibrary(shape, 1);
        this.libraryLayout = axes.isLibraryLayout(shape);
        this.fillBits = fill.bits();
    }

    @Override
    public String name() {
        return "zarr"; // the whole Zarr codec list, one array stage of the chunk layer's pipeline
    }

    @Override
    public void check(ChunkLayout layout) {
        if (layout.dataType() != type) throw new IllegalArgumentException("a " + type + " Zarr array has no " + layout.dataType() + " chunks");
    }

    @Override
    public long maxEncodedSize(ChunkLayout layout) {
        return groups.single() ? pipeline.maxEncodedSize() : 8L * (1 + groups.groups) + groups.groups * pipeline.maxEncodedSize();
    }

    private boolean whole(ChunkLayout layout) {
        long[] s = layout.shape4();
        for (int a = 0; a < 4; a++) if (s[a] != libraryChunk[a]) return false;
        return true;
    }

    /** The part of a decoded stored chunk that {@code layout} covers, as a view in the library's axis order. */
    private NdView storedView(MemorySegment chunk, ChunkLayout layout) {
        long[] strides = new long[4];
        for (int a = 0; a < 4; a++) {
            int d = axes.storedDimension(a);
            strides[a] = d < 0 ? 0 : storedStrides[d];
        }
        return NdView.wrap(chunk, 0, type, new long[4], layout.shape4(), strides);
    }

    /** {@code layout} cut to the channels of one group. */
    private ChunkLayout groupLayout(ChunkLayout layout, int g) {
        return new ChunkLayout(layout.shape(), Math.toIntExact(groups.count(g)), layout.dataType());
    }

    /** The channels of group {@code g} of a library chunk {@code layout} in {@code chunk}. */
    private NdView groupView(MemorySegment chunk, ChunkLayout layout, int g) {
        long[] s4 = layout.shape4();
        NdView all = NdView.wrap(chunk, type, new long[4], s4);
        return all.subView(org.bigarrays.core.Box.of(new long[] {0, 0, 0, groups.first(g)}, new long[] {s4[0], s4[1], s4[2], groups.first(g) + groups.count(g)}));
    }

    @Override
    public void decode(MemorySegment encoded, ChunkLayout layout, MemorySegment into, String key) {
        if (!groups.single()) {
            java.util.List<MemorySegment> parts = groups.unpack(encoded, key);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment chunk = arena.allocate(pipeline.chunkByteSize(), 64);
                for (int g = 0; g < groups.groups; g++) {
                    NdView to = groupView(into, layout, g);
                    if (parts.get(g) == null) {
                        to.fillBits(fillBits);
                        continue;
                    }
                    pipeline.decode(parts.get(g), chunk, key + " (channels " + groups.first(g) + "+)");
                    to.copyFrom(storedView(chunk, groupLayout(layout, g)));
                }
            }
            return;
        }
        if (libraryLayout && whole(layout)) {
            pipeline.decode(encoded, into.asSlice(0, layout.byteSize()), key);
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment chunk = arena.allocate(pipeline.chunkByteSize(), 64);
            pipeline.decode(encoded, chunk, key);
            NdView.wrap(into, type, new long[4], layout.shape4()).copyFrom(storedView(chunk, layout));
        }
    }

    @Override
    public MemorySegment encode(MemorySegment chunk, ChunkLayout layout) {
        if (!groups.single()) {
            java.util.List<MemorySegment> parts = new java.util.ArrayList<>(groups.groups);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment stored = arena.allocate(pipeline.chunkByteSize(), 64);
                for (int g = 0; g < groups.groups; g++) {
                    ChunkLayout gl = groupLayout(layout, g);
                    NdView.wrap(stored, type, new long[] {0}, new long[] {pipeline.chunkByteSize() / type.size()}).fillBits(fillBits);
                    storedView(stored, gl).copyFrom(groupView(chunk, layout, g));
                    parts.add(pipeline.encode(stored));
                }
            }
            return ChannelGroups.pack(parts);
        }
        if (libraryLayout && whole(layout)) return pipeline.encode(chunk.asSlice(0, layout.byteSize()));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stored = arena.allocate(pipeline.chunkByteSize(), 64);
            if (!whole(layout)) NdView.wrap(stored, type, new long[] {0}, new long[] {pipeline.chunkByteSize() / type.size()}).fillBits(fillBits);
            storedView(stored, layout).copyFrom(NdView.wrap(chunk, type, new long[4], layout.shape4()));
            return pipeline.encode(stored);
        }
    }

    @Override
    public String toString() {
        return "zarr " + pipeline + " " + axes;
    }
}
