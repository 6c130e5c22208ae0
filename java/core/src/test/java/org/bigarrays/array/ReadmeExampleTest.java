package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's library example is code a user copies: compile it as written (imports and all)
 * and run it against a temporary directory instead of {@code /data/em}.
 */
class ReadmeExampleTest {
    @TempDir
    Path tmp;

    @Test
    void theLibraryExampleCompilesAndRuns() throws Exception {
        Path layer = tmp.resolve("em");
        ReadmeExample.compileAndRun(ReadmeExample.block("## Library\\s+"),
                Map.of("file:///data/em", layer.toUri().toString(), "\"/data/em\"", "\"" + layer + "\""), tmp, "LibraryExample");
        try (BigArray a = BigArray.open(layer.toString())) {
            assertEquals(255, a.read(org.bigarrays.core.Box.parse("-500,3,101:-499,4,102")).getAsLong(-500, 3, 101), "the voxel the example wrote");
            assertEquals(3, a.info().scales().size());
        }
        assertTrue(new File(layer.toFile(), "info").isFile());
    }

    @Test
    void theCacheAndStreamingExampleCompilesAndRuns() throws Exception {
        Path layer = tmp.resolve("em");
        try (BigArray a = BigArray.create(layer.toString(), org.bigarrays.precomputed.Info.builder(org.bigarrays.core.DataType.UINT8,
                new long[] {300, 300, 64}, new long[] {64, 64, 64}).build())) {
            a.write(a.read(a.bounds()));
        }
        Path out = tmp.resolve("cutout.npy");
        ReadmeExample.compileAndRun(ReadmeExample.block("### The decoded-chunk cache in the library\\s+"),
                Map.of("\"/data/em\"", "\"" + layer + "\"", "\"/data/cutout.npy\"", "\"" + out + "\""), tmp, "CacheExample");
        assertEquals(NpyHeader.of(org.bigarrays.core.DataType.UINT8, new long[] {512, 512, 64, 1}).length + 512L * 512 * 64, Files.size(out));
    }

    @Test
    void theBatchExampleCompilesAndRuns() throws Exception {
        Path layer = tmp.resolve("em");
        try (BigArray a = BigArray.create(layer.toString(), org.bigarrays.precomputed.Info.builder(org.bigarrays.core.DataType.UINT8,
                new long[] {200, 150, 64}, new long[] {32, 32, 32}).build())) {
            a.write(a.read(a.bounds()));
        }
        ReadmeExample.compileAndRun(ReadmeExample.block("## Batch cutouts for training-data loaders\\s+"),
                Map.of("\"/data/em\"", "\"" + layer + "\""), tmp, "BatchExample");
    }
}
