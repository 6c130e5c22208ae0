package org.bigarrays.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bigarrays.kvstore.LayerFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI leaves nothing behind: layers written by create, write, cutout, transcode and
 * downsample hold only the format's files; a cutout killed by SIGINT or SIGTERM exits 130 or 143
 * and deletes its temp file; one killed with SIGKILL leaves it, and the next cutout into that
 * folder deletes it, touching nothing else there (a live cutout's temp file included).
 */
class CliLeftoversTest {
    @TempDir
    Path tmp;

    /** A layer whose 1 GiB cutout takes seconds (64-byte runs of missing chunks in a 1024-wide file). */
    private Path bigLayer;
    private Path outDir;

    @BeforeEach
    void layer() throws IOException {
        bigLayer = tmp.resolve("big");
        InProcess.run("create", bigLayer.toString(), "--dtype", "uint8", "--size", "1024,1024,1024", "--chunk", "64,64,64").ok();
        outDir = Files.createDirectories(tmp.resolve("out"));
    }

    @Test
    void commandsLeaveOnlyTheFormatsFiles() throws IOException {
        Path layer = tmp.resolve("layer"), sharded = tmp.resolve("sharded"), back = tmp.resolve("back");
        InProcess.run("create", layer.toString(), "--dtype", "uint8", "--size", "40,24,16", "--chunk", "8,8,8", "--mips", "2").ok();
        Path in = tmp.resolve("in.raw");
        byte[] voxels = new byte[40 * 24 * 16];
        for (int i = 0; i < voxels.length; i++) voxels[i] = (byte) (i * 7);
        Files.write(in, voxels);
        InProcess.run("write", layer.toString(), "--at", "0,0,0", in.toString(), "--shape", "40,24,16", "--compress", "gzip").ok();
        InProcess.run("write", layer.toString(), "--at", "1,1,1", in.toString(), "--shape", "2,2,2", "--rmw").failsWith(2, "shape [2, 2, 2, 1]");
        InProcess.run("downsample", layer.toString()).ok();
        LayerFiles.assertOnlyFormatFiles(layer);
        InProcess.run("cutout", layer.toString(), "--box", "0,0,0:40,24,16", "-o", outDir.resolve("c.npy").toString()).ok();
        LayerFiles.assertOnlyFormatFiles(layer);
        InProcess.run("transcode", layer.toString(), sharded.toString(), "--sharding", "0,1,2", "--compress", "zstd").ok();
        InProcess.run("transcode", sharded.toString(), back.toString(), "--sharding", "none").ok();
        for (Path l : List.of(layer, sharded, back)) LayerFiles.assertOnlyFormatFiles(l);
        assertEquals(List.of("c.npy"), names(outDir));
    }

    /** A scale directory linked to another disk: writes refused with one line naming the link, unless ?followLinks=true. */
    @Test
    void writesThroughALinkedScaleDirectoryNeedFollowLinks() throws IOException {
        Path layer = tmp.resolve("linked");
        InProcess.run("create", layer.toString(), "--dtype", "uint8", "--size", "8,8,8", "--chunk", "8,8,8").ok();
        Path in = tmp.resolve("in8.raw");
        byte[] ones = new byte[512];
        Arrays.fill(ones, (byte) 1); // not the fill value: the chunk is stored
        Files.write(in, ones);
        InProcess.run("write", layer.toString(), "--at", "0,0,0", in.toString(), "--shape", "8,8,8").ok();
        Path scale;
        try (Stream<Path> s = Files.list(layer)) {
            scale = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        Path elsewhere = tmp.resolve("other-disk");
        Files.move(scale, elsewhere);
        Files.createSymbolicLink(scale, elsewhere);
        String name = scale.getFileName().toString();
        Arrays.fill(ones, (byte) 2); // new voxels, so that a chunk is written
        Files.write(in, ones);
        InProcess.run("write", layer.toString(), "--at", "0,0,0", in.toString(), "--shape", "8,8,8")
                .failsWith(2, "refusing to write", "'" + name + "' is a symbolic link to " + elsewhere.toRealPath(), "outside the layer", "followLinks=true");
        InProcess.run("cutout", layer.toString(), "--box", "0,0,0:8,8,8", "-o", outDir.resolve("r.npy").toString()).ok(); // reads follow links
        InProcess.run("write", layer.toUri() + "?followLinks=true", "--at", "0,0,0", in.toString(), "--shape", "8,8,8").ok();
        assertEquals(List.of("0-8_0-8_0-8"), names(elsewhere), "the chunk, and no temp file, in the linked directory");
    }

    @Test
    void sigintAndSigtermExit130And143AndDeleteTheTempFile() throws Exception {
        Process running = startCutout("int.npy");
        awaitTempFile("int.npy", running);
        assertEquals(0, new ProcessBuilder("kill", "-INT", Long.toString(running.pid())).start().waitFor());
        assertTrue(running.waitFor(60, TimeUnit.SECONDS), "the cutout did not end on SIGINT");
        assertEquals(130, running.exitValue());
        assertEquals(List.of(), names(outDir), "no temp file and no partial output after SIGINT");

        running = startCutout("term.npy");
        awaitTempFile("term.npy", running);
        running.destroy(); // SIGTERM
        assertTrue(running.waitFor(60, TimeUnit.SECONDS), "the cutout did not end on SIGTERM");
        assertEquals(143, running.exitValue());
        assertEquals(List.of(), names(outDir), "no temp file and no partial output after SIGTERM");
    }

    @Test
    void theNextCutoutDeletesAKilledCutoutsTempFileAndNothingElse() throws Exception {
        List<String> others = List.of(".mine.npy.tmp-0123abcd", ".x.npy.bigarrays-tmp-nothex", "notes.txt");
        for (String f : others) Files.writeString(outDir.resolve(f), "not the cutout's");
        Process killed = startCutout("killed.npy");
        Path dead = awaitTempFile("killed.npy", killed);
        killed.destroyForcibly(); // SIGKILL: no hook runs
        assertTrue(killed.waitFor(60, TimeUnit.SECONDS));
        assertEquals(137, killed.exitValue());
        assertTrue(Files.exists(dead), "SIGKILL leaves the temp file (else this test proves nothing)");

        Process live = startCutout("live.npy");
        Path liveTemp = awaitTempFile("live.npy", live);
        InProcess.run("cutout", bigLayer.toString(), "--box", "0,0,0:4,4,4", "-o", outDir.resolve("small.npy").toString()).ok();
        assertFalse(Files.exists(dead), "the next cutout into the folder deleted the dead cutout's temp file");
        assertTrue(Files.exists(liveTemp), "a running cutout's temp file is kept");
        for (String f : others) assertEquals("not the cutout's", Files.readString(outDir.resolve(f)), f);
        live.destroy();
        assertTrue(live.waitFor(60, TimeUnit.SECONDS));
        assertEquals(Stream.concat(others.stream(), Stream.of("small.npy")).sorted().toList(), names(outDir));
    }

    private Process startCutout(String out) throws IOException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "cutout", bigLayer.toString(), "--box", "0,0,0:1024,1024,1024", "--memory", "1M", "-o", outDir.resolve(out).toString());
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(out + ".log").toFile()).start();
    }

    /** Wait until the cutout to {@code out} has its temp file with some bytes in it. */
    private Path awaitTempFile(String out, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && p.isAlive()) {
            try (Stream<Path> s = Files.list(outDir)) {
                Path t = s.filter(f -> f.getFileName().toString().matches("\\." + java.util.regex.Pattern.quote(out) + "\\.bigarrays-tmp-[0-9a-f]{16}"))
                        .findFirst().orElse(null);
                if (t != null && Files.size(t) > 1 << 20) return t;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no temp file of the cutout to " + out + " (alive: " + p.isAlive() + "): " + Files.readString(tmp.resolve(out + ".log")));
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
