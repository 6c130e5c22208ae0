package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's "Pyramids" example, compiled as written and run against a temporary layer (as {@link ReadmeExampleTest}). */
class PyramidReadmeExampleTest {
    @TempDir
    Path tmp;

    @Test
    void thePyramidExampleCompilesAndRuns() throws Exception {
        String block = ReadmeExample.block("## Pyramids\\s+");
        Path layer = tmp.resolve("em");
        try (BigArray a = BigArray.create(layer.toString(), Info.builder(DataType.UINT8, new long[] {256, 256, 64}, new long[] {64, 64, 64})
                .resolution(4, 4, 40).build())) {
            NdView v = a.read(a.bounds());
            v.fill(200);
            a.write(v);
        }
        ReadmeExample.compileAndRun(block, Map.of("\"/data/em\"", "\"" + layer + "\""), tmp, "PyramidExample");
        try (BigArray a = BigArray.open(layer.toString())) {
            assertEquals(5, a.info().scales().size());
            assertEquals("64_64_80", a.info().scale(4).key());
            assertEquals(200, a.mip(4).read(a.mip(4).bounds()).getAsLong(0, 0, 0));
        }
    }
}
