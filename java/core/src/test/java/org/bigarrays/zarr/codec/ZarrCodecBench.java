package org.bigarrays.zarr.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.CodecPipeline;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.Encoding;
import org.bigarrays.core.DataType;

/**
 * Decode throughput of Zarr pipelines against the precomputed pipeline's zstd and gzip
 * encodings (BigArrays.jl's, the raw chunk compressed whole) on the same 128x128x64 uint16
 * chunk: the cost of the Zarr stages around the same compressor. Single thread; the cases are
 * interleaved in each pass; one warm-up pass, then {@code reps} timed passes, best per case;
 * MB/s of decoded chunk and the ratio to the precomputed baseline of the same compressor
 * (uncompressed transposes: to a plain copy).
 * Usage: {@code ZarrCodecBench [reps=10]}.
 */
public final class ZarrCodecBench {
    private ZarrCodecBench() {}

    private interface Decoder {
        void decode(MemorySegment stored, MemorySegment into);
    }

    public static void main(String[] args) {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        long[] shape = {64, 128, 128};
        DataType t = DataType.UINT16;
        MemorySegment chunk = ZarrSubjects.sample(t, shape, 1);
        ChunkLayout layout = new ChunkLayout(new long[] {128, 128, 64}, 1, t);
        Map<String, MemorySegment> stored = new LinkedHashMap<>();
        Map<String, Decoder> cases = new LinkedHashMap<>();
        for (Encoding e : new Encoding[] {Encoding.ZSTD, Encoding.GZIP}) {
            CodecPipeline p = e.pipeline(t);
            String name = "precomputed " + e.name();
            stored.put(name, p.encode(chunk, layout, Compression.NONE));
            cases.put(name, (s, into) -> p.decode(s, layout, into, "k"));
        }
        String le = "{\"name\":\"bytes\",\"configuration\":{\"endian\":\"little\"}}";
        String zstd = "{\"name\":\"zstd\",\"configuration\":{\"level\":3,\"checksum\":true}}";
        String gzip = "{\"name\":\"gzip\",\"configuration\":{\"level\":6}}";
        Map<String, String> zarr = new LinkedHashMap<>();
        zarr.put("zarr bytes+zstd", "[" + le + "," + zstd + "]");
        zarr.put("zarr bytes+zstd+crc32c", "[" + le + "," + zstd + ",{\"name\":\"crc32c\"}]");
        zarr.put("zarr transpose+bytes+zstd", "[{\"name\":\"transpose\",\"configuration\":{\"order\":[2,1,0]}}," + le + "," + zstd + "]");
        zarr.put("zarr bytes(big)+zstd", "[{\"name\":\"bytes\",\"configuration\":{\"endian\":\"big\"}}," + zstd + "]");
        zarr.put("zarr bytes+gzip", "[" + le + "," + gzip + "]");
        zarr.put("zarr bytes (a copy)", "[" + le + "]");
        zarr.put("zarr transpose[2,1,0]+bytes", "[{\"name\":\"transpose\",\"configuration\":{\"order\":[2,1,0]}}," + le + "]");
        zarr.put("zarr transpose[0,2,1]+bytes", "[{\"name\":\"transpose\",\"configuration\":{\"order\":[0,2,1]}}," + le + "]");
        for (Map.Entry<String, String> z : zarr.entrySet()) {
            ZarrCodecPipeline p = ZarrCodecPipeline.parse(ZarrSubjects.json(z.getValue()), t, shape);
            stored.put(z.getKey(), p.encode(chunk));
            cases.put(z.getKey(), (s, into) -> p.decode(s, into, "k"));
        }
        MemorySegment into = Arena.ofAuto().allocate(chunk.byteSize());
        Map<String, Double> best = new LinkedHashMap<>();
        for (int rep = 0; rep <= reps; rep++) {
            for (Map.Entry<String, Decoder> c : cases.entrySet()) {
                MemorySegment s = stored.get(c.getKey());
                long t0 = System.nanoTime();
                for (int k = 0; k < 5; k++) c.getValue().decode(s, into);
                double secs = (System.nanoTime() - t0) / 1e9 / 5;
                if (rep > 0) best.merge(c.getKey(), secs, Math::min);
            }
        }
        double mb = chunk.byteSize() / 1e6;
        System.out.printf("%s %s chunk, %.1f MB; best of %d passes%n", t.jsonName(), java.util.Arrays.toString(shape), mb, reps);
        for (Map.Entry<String, Double> b : best.entrySet()) {
            String base = b.getKey().contains("gzip") ? "precomputed GZIP" : b.getKey().contains("zstd") ? "precomputed ZSTD" : "zarr bytes (a copy)";
            System.out.printf("%-28s %8.1f MB/s   %6.2fx of %s   (%d bytes stored)%n", b.getKey(), mb / b.getValue(), best.get(base) / b.getValue(), base,
                    stored.get(b.getKey()).byteSize());
        }
    }
}
