package org.bigarrays.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a one-chunk cutout of a raw layer loads and initializes, in a JVM of its own (a class once
 * loaded stays loaded, so only a fresh process can tell): not the zstd binding, whose
 * initialization loads libzstd and links its calls, not picocli's command model, and none of
 * what cost such a cutout milliseconds of CPU each at start-up: a native downcall linked (the
 * chunk is one memcpy), SLF4J started (nothing is logged), BigDecimal initialized (jackson's
 * parser, the fill value), Formatter (the summary line), the System.Logger that System.exit
 * looks up. Start-up time itself is measured by bench/startup, never here.
 */
class CutoutClassesTest {
    @Test
    void aRawOneChunkCutoutLoadsOnlyWhatItNeeds(@TempDir Path tmp) throws Exception {
        InProcess.run("demo", "--dir", tmp.resolve("demo").toString(), "--size", "64,64,64", "--cutouts", "1").ok();
        Path log = tmp.resolve("classes.log");
        Path out = tmp.resolve("o.npy");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-Duser.language=en", "-Duser.country=US", // the summary line's plain locale (see FixedPoint)
                "-Xlog:class+load=info,class+init=info:file=" + log, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "cutout", tmp.resolve("demo/raw").toUri().toString(), "--box", "0,0,0:64,64,64", "-o", out.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("run.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the cutout finished");
        String run = read(tmp.resolve("run.log"));
        assertEquals(0, p.exitValue(), () -> "cutout failed: " + run);
        assertTrue(Files.size(out) > 64L * 64 * 64);
        String classes = read(log);
        assertTrue(classes.contains(" org.bigarrays.cli.CutoutCommand "), "the log lists the classes loaded");
        assertTrue(classes.contains(" org.bigarrays.array.Options "), "the log lists the options");
        assertFalse(classes.contains(" org.bigarrays.nativ.LibZstdBinding "), "a raw cutout loaded the zstd binding");
        assertFalse(classes.contains(" org.bigarrays.codec.ZstdCodec "), "a raw cutout initialized the zstd codec");
        assertFalse(classes.contains(" picocli.CommandLine$Model"), "a plain cutout built picocli's model");
        assertTrue(classes.contains("Initializing 'org/bigarrays/nativ/OneRunKernels'"), "the log lists the classes initialized");
        assertFalse(classes.contains(" org.bigarrays.nativ.LibBigArrays "), "a one-chunk cutout loaded the native kernels' binding");
        assertFalse(classes.contains("jdk.internal.foreign.abi.DowncallStub"), "a one-chunk cutout linked a native call");
        assertFalse(classes.contains(" org.slf4j.simple.SimpleLogger "), "a cutout that logs nothing started SLF4J");
        assertFalse(classes.contains("Initializing 'java/math/BigDecimal'"), "a one-chunk cutout initialized BigDecimal");
        assertFalse(classes.contains("Initializing 'java/util/Formatter'"), "the summary line started Formatter");
        assertFalse(classes.contains(" jdk.internal.logger.BootstrapLogger "), "exiting looked up a System.Logger");
    }

    private static String read(Path p) throws java.io.IOException {
        return Files.readString(p);
    }
}
