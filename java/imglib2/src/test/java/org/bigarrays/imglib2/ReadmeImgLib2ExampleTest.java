package org.bigarrays.imglib2;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.DataType;
import org.bigarrays.precomputed.Info;
import org.bigarrays.array.ReadmeExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's ImgLib2 example, compiled as written and run against a temporary layer instead of {@code /data/em}. */
class ReadmeImgLib2ExampleTest {
    @TempDir
    Path tmp;

    @Test
    void theImgLib2ExampleCompilesAndRuns() throws Exception {
        String block = ReadmeExample.block("## ImgLib2[^\\n]*\\n");
        Path layer = tmp.resolve("em");
        Info info = Info.builder(DataType.UINT8, new long[] {128, 128, 64}, new long[] {64, 64, 32}).offset(-512, 0, 100).mips(2).build();
        try (BigArray a = BigArray.create(layer.toUri().toString(), info)) {
            assertEquals(2, a.info().scales().size());
        }
        ReadmeExample.compileAndRun(block, Map.of("file:///data/em", layer.toUri().toString()), tmp, "ReadmeImgLib2Example");
    }
}
