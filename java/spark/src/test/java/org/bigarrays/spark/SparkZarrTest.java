package org.bigarrays.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Pyramid;
import org.bigarrays.array.PyramidSpec;
import org.bigarrays.core.DataType;
import org.bigarrays.ingest.Stacks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Spark jobs' {@code --format} on local[2], through {@link SparkMain#run}: ingest into
 * OME-Zarr with its pyramid built on Spark, and transcode precomputed → Zarr v3 (and the Zarr
 * layer back through the source path), every voxel compared with the single-JVM result.
 */
class SparkZarrTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** {@link SparkMainTest#run}, which must succeed; its standard error. */
    private static String run(String... args) {
        SparkMainTest.Run r = SparkMainTest.run(args);
        assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
        return r.err();
    }

    private static byte[] voxels(String layer, int mip) {
        try (BigArray a = BigArray.open(layer)) {
            BigArray m = a.mip(mip);
            return m.read(m.bounds()).segment().toArray(ValueLayout.JAVA_BYTE);
        }
    }

    @Test
    void ingestIntoOmeZarrWithItsPyramidAndTranscodeToZarr3AndBack() throws Exception {
        Stacks.writeSlices(tmp.resolve("src"), "z", "png", DataType.UINT8, 50, 40, 6, 1);
        String ome = tmp.resolve("ome").toString(), pre = tmp.resolve("pre").toString();
        run("ingest", tmp.resolve("src").toString(), ome, "--master", "local[2]", "--chunk", "16,16,2", "--resolution", "4,4,40", "--box-mb", "1",
                "--format", "ome-zarr", "--compress", "gzip", "--downsample");
        run("ingest", tmp.resolve("src").toString(), pre, "--master", "local[2]", "--chunk", "16,16,2", "--resolution", "4,4,40", "--box-mb", "1");
        JsonNode group = JSON.readTree(Files.readString(Path.of(ome, "zarr.json")));
        JsonNode datasets = group.at("/attributes/ome/multiscales/0/datasets");
        assertTrue(datasets.size() > 1, "the pyramid's levels are listed: " + group);
        String level0 = Files.readString(Path.of(ome, datasets.get(0).get("path").asText(), "zarr.json"));
        assertTrue(level0.contains("\"gzip\""), level0);
        try (BigArray p = BigArray.open(pre)) {
            Pyramid.build(p, PyramidSpec.defaults().withMips(datasets.size() - 1));
        }
        try (BigArray o = BigArray.open(ome)) {
            assertEquals("ome-zarr", o.format());
            assertEquals(datasets.size(), o.info().scales().size());
        }
        for (int m = 0; m < datasets.size(); m++) assertArrayEquals(voxels(pre, m), voxels(ome, m), "mip " + m + ": Spark's OME-Zarr level equals the single-JVM pyramid");

        String z3 = tmp.resolve("z3").toString(), back = tmp.resolve("back").toString();
        String flat = tmp.resolve("flat").toString();
        // A one-scale source: a Zarr v3 array holds one scale.
        run("ingest", tmp.resolve("src").toString(), flat, "--master", "local[2]", "--chunk", "16,16,2", "--box-mb", "1");
        String out = run("transcode", flat, z3, "--master", "local[2]", "--format", "zarr3", "--compress", "zstd", "--box-mb", "1");
        assertTrue(out.contains("task(s)"), out);
        JsonNode meta = JSON.readTree(Files.readString(Path.of(z3, "zarr.json")));
        assertEquals("array", meta.get("node_type").asText());
        assertEquals("zstd", meta.at("/codecs/1/name").asText(), meta.toString());
        assertArrayEquals(voxels(flat, 0), voxels(z3, 0));
        run("transcode", z3, back, "--master", "local[2]", "--box-mb", "1");
        assertTrue(Files.isRegularFile(Path.of(back, "info")), "no --format: precomputed");
        assertArrayEquals(voxels(flat, 0), voxels(back, 0));
    }
}
