package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Formats" library example, compiled as written and run against a temporary directory (as {@link ReadmeExampleTest}). */
class ZarrReadmeExampleTest {
    @TempDir
    Path tmp;

    @Test
    void theZarrExampleCompilesAndRuns() throws Exception {
        String block = ReadmeExample.block("## Formats[^\\n]*\\n");
        Path layer = tmp.resolve("cells.ome.zarr");
        ReadmeExample.compileAndRun(block, Map.of("/data/cells.ome.zarr", layer.toString()), tmp, "ZarrReadmeExample");
        assertTrue(Files.readString(layer.resolve("zarr.json")).contains("multiscales"));
        try (BigArray a = BigArray.open(layer.toString())) {
            assertEquals("ome-zarr", a.format());
            assertEquals(3, a.info().scales().size());
            assertEquals(1000, a.mip(2).read(a.mip(2).bounds()).getAsLong(0, 0, 0));
        }
    }
}
