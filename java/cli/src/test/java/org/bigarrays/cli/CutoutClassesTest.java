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
 * What a one-chunk cutout of a raw layer loads, in a JVM of its own (a class once loaded stays
 * loaded, so only a fresh process can tell): not the zstd binding, whose initialization loads
 * libzstd and links its calls, and not picocli's command model. Start-up time itself is
 * measured by bench/startup, never here.
 */
class CutoutClassesTest {
    @Test
    void aRawOneChunkCutoutLoadsNeitherTheZstdBindingNorPicocli(@TempDir Path tmp) throws Exception {
        InProcess.run("demo", "--dir", tmp.resolve("demo").toString(), "--size", "64,64,64", "--cutouts", "1").ok();
        Path log = tmp.resolve("classes.log");
        Path out = tmp.resolve("o.npy");
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-Xlog:class+load=info:file=" + log, "-cp", System.getProperty("java.class.path"), Main.class.getName(),
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
    }

    private static String read(Path p) throws java.io.IOException {
        return Files.readString(p);
    }
}
