package org.bigarrays.cli;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.JobRecord;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.ingest.IngestPlan;
import org.bigarrays.options.ZstdLevelOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bigarrays write URL --at x,y,z IN}: write a .npy or raw file into the layer. */
@Command(name = "write", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Write IN (.npy of shape (x,y,z) or (x,y,z,c), either order; or raw with --shape) at --at.",
                "With --axes zyx, IN is (z,y,x) or (z,y,x,c) as tifffile, scikit-image and Fiji hold it (raw: C order, --shape Z,Y,X[,C])."})
final class WriteCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL")
    String url;

    @Parameters(index = "1", paramLabel = "IN")
    Path input;

    @Option(names = "--at", required = true, paramLabel = "x,y,z", description = "where the input's first voxel goes")
    String at;

    @Option(names = "--shape", paramLabel = "X,Y,Z[,C]", description = "shape of a raw input (x fastest, little-endian); with --axes zyx: Z,Y,X[,C], C order")
    String shape;

    @Option(names = "--axes", paramLabel = "xyz|zyx", description = "axis order of IN: xyz (default; precomputed's own) or zyx (numpy/tifffile/scikit-image/Fiji)")
    String axes;

    @Option(names = "--compress", defaultValue = "none", description = "transport compression of written chunks (all under the plain key; gzip on s3/gs with Content-Encoding: gzip): none, gzip, zstd, lz4 (Neuroglancer reads none and gzip)")
    String compress;

    @Option(names = "--rmw", description = "allow unaligned boxes: read, patch and rewrite edge chunks")
    boolean rmw;

    @Option(names = "--restart", description = "discard the record of an unfinished large write with other settings at the layer and start over")
    boolean restart;

    @Mixin
    ReadWriteOptions rw;

    @Mixin
    FillChunkOption fillChunks;

    @Mixin
    ZstdLevelOption zstdLevel;

    /**
     * Writes larger than this go slab by slab under a job record, so a rerun skips the slabs already
     * stored (the system property lets tests interrupt a small write between slabs).
     */
    static final long SLAB_BYTES = Long.getLong("bigarrays.write.slabBytes", 256L << 20);

    @Override
    public Integer call() throws IOException {
        long[] origin = CreateCommand.triple(at, "--at");
        Compression c = Compression.of(compress);
        zstdLevel.check();
        long t0 = System.nanoTime();
        try (BigArray a0 = BigArray.open(url, Options.defaults()); Arena arena = Arena.ofShared(); Terminal.Bar bar = new Terminal.Bar("write")) {
            if (a0.format().equals("zarr2")) { // before the box's alignment, which would not help
                throw new InvalidInputException(a0.uri() + " is a Zarr v2 array, read only here: transcode it to --format zarr3 or ome-zarr to write");
            }
            BigArray a = a0.mip(rw.mip);
            a = a.withOptions(zstdLevel.apply(fillChunks.apply(rw.apply(a.options(), a.dataType()))).withCompression(c).withReadModifyWrite(rmw).withProgress(bar.listener()));
            NdView v = load(input, shape, a.dataType(), origin, arena, axes == null ? null : Axes.zyx(axes));
            try {
                writeResumably(a, v, c);
            } catch (InvalidInputException e) {
                // The library says "enable read-modify-write"; here that is a flag.
                if (!rmw && e.getMessage() != null && e.getMessage().contains("enable read-modify-write")) {
                    throw new InvalidInputException(e.getMessage().replace("enable read-modify-write", "pass --rmw (read, patch and rewrite the edge chunks)"));
                }
                throw e;
            }
            bar.close();
            System.err.printf("wrote %s (%.1f MB) to %s mip %d in %.2f s%n", Box.at(new long[] {origin[0], origin[1], origin[2]},
                    new long[] {v.shape()[0], v.shape()[1], v.shape()[2]}), v.byteSize() / 1e6, a.uri(), a.mip(), (System.nanoTime() - t0) / 1e9);
        }
        return Main.OK;
    }

    /**
     * Write {@code v}; one over {@link #SLAB_BYTES} is cut into slabs along z, aligned to the
     * layer's write unit (so no chunk or shard belongs to two slabs), written one after the other
     * under a {@link JobRecord} in the layer: an interrupted write, run again, skips the slabs it
     * stored. The record names the input by path, size and modification time.
     */
    private void writeResumably(BigArray a, NdView v, Compression c) throws IOException {
        long[] unit;
        try {
            unit = IngestPlan.writeUnit(a);
        } catch (InvalidInputException hashedShards) {
            a.write(v); // hashed shards are written whole anyway
            return;
        }
        long[] o = v.origin(), n = v.shape();
        long bytesPerZ = Math.multiplyExact(Math.multiplyExact(n[0], n[1]), n[3] * a.dataType().size());
        long zStep = Math.multiplyExact(unit[2], Math.max(1, SLAB_BYTES / Math.max(1, Math.multiplyExact(bytesPerZ, unit[2]))));
        if (n[2] <= zStep) {
            a.write(v);
            return;
        }
        long base = a.bounds().min(2);
        List<Box> slabs = new ArrayList<>();
        for (long z = o[2]; z < o[2] + n[2]; ) {
            long end = Math.min(o[2] + n[2], base + (Math.floorDiv(z - base, zStep) + 1) * zStep);
            slabs.add(Box.of(new long[] {o[0], o[1], z}, new long[] {o[0] + n[0], o[1] + n[1], end}));
            z = end;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("input", input.toAbsolutePath().toString());
        fields.put("input bytes", Long.toString(Files.size(input)));
        fields.put("input modified", Files.getLastModifiedTime(input).toString());
        fields.put("at", at);
        fields.put("mip", Integer.toString(a.mip()));
        fields.put("compression", c.toString().toLowerCase(java.util.Locale.ROOT));
        fields.put("read-modify-write", Boolean.toString(rmw));
        JobRecord.putZstdLevel(fields, a.options());
        JobRecord job = JobRecord.begin(a.context().store(a.uri()), "write", fields, restart);
        for (Box slab : slabs) {
            String task = JobRecord.task(a.mip(), slab);
            if (job.isDone(task)) continue;
            a.write(v.subView(slab));
            job.markDone(task);
        }
        job.finish();
    }

    /**
     * Map the input file and view it as [x,y,z,c] at {@code origin}. The shape, its byte count
     * and the box it covers are checked (no overflow, size matches the file) before mapping.
     */
    static NdView load(Path in, String rawShape, DataType layerType, long[] origin, Arena arena) throws IOException {
        return load(in, rawShape, layerType, origin, arena, false);
    }

    /**
     * As {@link #load(Path, String, DataType, long[], Arena)}, the file's axes being (z, y, x[, c])
     * when {@code zyx} (a raw file then C order, as numpy's tofile writes it). {@code zyx} null:
     * xyz, as the user did not say, with a one-line warning on a C-order 3-D .npy, which is
     * almost always a (z, y, x) array from Python.
     */
    static NdView load(Path in, String rawShape, DataType layerType, long[] origin, Arena arena, Boolean zyx) throws IOException {
        long dataOffset;
        long[] shp;
        DataType type;
        boolean fortran;
        String name = in.toString();
        if (Files.isDirectory(in)) throw new InvalidInputException("input " + name + " is a directory");
        try (InputStream is = Files.newInputStream(in)) {
            if (name.endsWith(".npy")) {
                Npy.Header h = Npy.readHeader(is, name);
                type = h.type();
                shp = h.shape();
                fortran = h.fortranOrder();
                dataOffset = h.dataOffset();
            } else {
                if (rawShape == null) throw new InvalidInputException("raw input " + name + " needs --shape " + (Boolean.TRUE.equals(zyx) ? "Z,Y,X[,C]" : "X,Y,Z[,C]"));
                shp = Box.parseLongs(rawShape, "--shape " + rawShape);
                for (long v : shp) if (v < 0) throw new InvalidInputException("--shape " + rawShape + ": negative size " + v);
                type = layerType;
                fortran = !Boolean.TRUE.equals(zyx); // raw xyz: x fastest; raw zyx: C order, x fastest too
                dataOffset = 0;
            }
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("input file not found: " + name);
        }
        boolean byZ = Boolean.TRUE.equals(zyx);
        if (shp.length != 3 && shp.length != 4) {
            throw new InvalidInputException(name + ": expected shape " + (byZ ? "(z,y,x) or (z,y,x,c)" : "(x,y,z) or (x,y,z,c)") + ", found " + Arrays.toString(shp));
        }
        if (zyx == null && !fortran && shp.length == 3 && name.endsWith(".npy")) {
            System.err.println("bigarrays: warning: " + name + " is a C-order 3-D .npy, read as (x,y,z) = " + Arrays.toString(shp)
                    + "; --axes zyx reads it as (z,y,x)");
        }
        // The file's shape in its own axis order, one channel when it has no channel axis.
        long[] f4 = shp.length == 4 ? shp : new long[] {shp[0], shp[1], shp[2], 1};
        if (byZ) shp = new long[] {f4[2], f4[1], f4[0], f4[3]};
        if (type != layerType) throw new InvalidInputException(name + ": data type " + type + " does not match the layer's " + layerType);
        long[] s4 = shp.length == 4 ? shp : new long[] {shp[0], shp[1], shp[2], 1};
        long bytes;
        try {
            bytes = Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(Math.multiplyExact(s4[0], s4[1]), s4[2]), s4[3]), type.size());
        } catch (ArithmeticException overflow) {
            throw new InvalidInputException(name + ": shape " + Arrays.toString(s4) + " of " + type + " is more than 2^63 bytes");
        }
        Box.at(origin, new long[] {s4[0], s4[1], s4[2]}); // --at + shape must not pass 2^63-1
        long size = Files.size(in);
        if (size - dataOffset != bytes) {
            throw new InvalidInputException(name + ": expected " + bytes + " data bytes for shape " + Arrays.toString(s4) + " " + type + ", found " + (size - dataOffset));
        }
        MemorySegment seg;
        try (FileChannel ch = FileChannel.open(in)) {
            seg = bytes == 0 ? arena.allocate(1) : ch.map(FileChannel.MapMode.READ_ONLY, dataOffset, bytes, arena);
        }
        long[] fileStrides = fortran ? NdView.fortranStrides(f4, type.size()) : NdView.cOrderStrides(f4, type.size());
        // (z,y,x,c) -> (x,y,z,c): the same bytes, the axes' strides swapped.
        long[] strides = byZ ? new long[] {fileStrides[2], fileStrides[1], fileStrides[0], fileStrides[3]} : fileStrides;
        return NdView.wrap(seg, 0, type, new long[] {origin[0], origin[1], origin[2], 0}, s4, strides);
    }
}
