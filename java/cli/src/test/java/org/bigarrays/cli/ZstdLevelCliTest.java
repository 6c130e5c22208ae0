package org.bigarrays.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.bigarrays.array.BigArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --zstd-level} end to end: write, ingest, transcode and downsample store fewer bytes at
 * level 19 than at level 1, with the same voxels; a level outside zstd's range exits 2 naming it
 * and the range; every such command documents the option.
 */
class ZstdLevelCliTest {
    private static final String SIZE = "128,128,64";

    @TempDir
    Path tmp;

    /** A raw uint8 volume like smooth EM texture: a slow random walk, where zstd's levels differ. */
    private Path rawInput() throws IOException {
        byte[] b = new byte[128 * 128 * 64];
        Random r = new Random(11);
        int w = 512;
        for (int i = 0; i < b.length; i++) {
            w = Math.clamp(w + r.nextInt(9) - 4, 0, 1023);
            b[i] = (byte) (w >> 2);
        }
        return Files.write(tmp.resolve("in.raw"), b);
    }

    private static long bytesUnder(Path dir, String scale) throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve(scale))) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    private static byte[] voxels(Path layer, int mip) {
        try (BigArray a = BigArray.open(layer.toString())) {
            BigArray m = a.mip(mip);
            return m.read(m.bounds()).segment().toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private Path written(String name, Path in, int level) {
        Path layer = tmp.resolve(name);
        InProcess.run("create", layer.toString(), "--dtype", "uint8", "--size", SIZE, "--chunk", "64,64,64").ok();
        InProcess.run("write", layer.toString(), "--at", "0,0,0", in.toString(), "--shape", SIZE, "--compress", "zstd",
                "--zstd-level", Integer.toString(level)).ok();
        return layer;
    }

    @Test
    void writeIngestTranscodeAndDownsampleHonourTheLevel() throws IOException {
        Path in = rawInput();
        byte[] expected = Files.readAllBytes(in);
        Path w1 = written("w1", in, 1), w19 = written("w19", in, 19);
        assertTrue(bytesUnder(w19, "1_1_1") < bytesUnder(w1, "1_1_1"), "write: level 19 " + bytesUnder(w19, "1_1_1") + " < level 1 " + bytesUnder(w1, "1_1_1"));
        assertArrayEquals(expected, voxels(w1, 0));
        assertArrayEquals(expected, voxels(w19, 0));

        Path i1 = tmp.resolve("i1"), i19 = tmp.resolve("i19");
        for (Object[] c : new Object[][] {{i1, "1"}, {i19, "19"}}) {
            InProcess.run("ingest", in.toString(), c[0].toString(), "--dtype", "uint8", "--shape", SIZE, "--chunk", "64,64,64",
                    "--compress", "zstd", "--zstd-level", (String) c[1]).ok();
        }
        assertTrue(bytesUnder(i19, "1_1_1") < bytesUnder(i1, "1_1_1"), "ingest: level 19 " + bytesUnder(i19, "1_1_1") + " < level 1 " + bytesUnder(i1, "1_1_1"));
        assertArrayEquals(expected, voxels(i19, 0));

        // Transcode each layer into the other's level: the sizes swap.
        Path t19 = tmp.resolve("t19"), t1 = tmp.resolve("t1");
        InProcess.run("transcode", w1.toString(), t19.toString(), "--compress", "zstd", "--zstd-level", "19").ok();
        InProcess.run("transcode", w19.toString(), t1.toString(), "--compress", "zstd", "--zstd-level", "1").ok();
        assertTrue(bytesUnder(t19, "1_1_1") < bytesUnder(t1, "1_1_1"), "transcode: level 19 " + bytesUnder(t19, "1_1_1") + " < level 1 " + bytesUnder(t1, "1_1_1"));
        assertArrayEquals(expected, voxels(t19, 0));
        assertArrayEquals(expected, voxels(t1, 0));

        // mip 1 of the same data at each level (2×2×2 means of a random walk still differ by level).
        InProcess.run("downsample", w1.toString(), "--mips", "1", "--compress", "zstd", "--zstd-level", "1").ok();
        InProcess.run("downsample", w19.toString(), "--mips", "1", "--compress", "zstd", "--zstd-level", "19").ok();
        assertTrue(bytesUnder(w19, "2_2_2") < bytesUnder(w1, "2_2_2"), "downsample: level 19 " + bytesUnder(w19, "2_2_2") + " < level 1 " + bytesUnder(w1, "2_2_2"));
        assertArrayEquals(voxels(w1, 1), voxels(w19, 1));
    }

    @Test
    void aLevelOutsideZstdsRangeExits2NamingItAndTheRange() throws IOException {
        Path in = rawInput();
        Path layer = tmp.resolve("bad");
        InProcess.run("create", layer.toString(), "--dtype", "uint8", "--size", SIZE, "--chunk", "64,64,64").ok();
        InProcess.run("write", layer.toString(), "--at", "0,0,0", in.toString(), "--shape", SIZE, "--compress", "zstd", "--zstd-level", "23")
                .failsWith(2, "zstd level 23", "-131072 to 22");
        assertTrue(!Files.exists(layer.resolve("1_1_1")) || bytesUnder(layer, "1_1_1") == 0, "nothing written on a bad level");
        InProcess.run("transcode", layer.toString(), tmp.resolve("t").toString(), "--zstd-level", "-131073").failsWith(2, "zstd level -131073", "-131072 to 22");
        InProcess.run("downsample", layer.toString(), "--zstd-level", "99").failsWith(2, "zstd level 99");
        InProcess.run("ingest", in.toString(), tmp.resolve("i").toString(), "--dtype", "uint8", "--shape", SIZE, "--zstd-level", "30")
                .failsWith(2, "zstd level 30");
        assertTrue(!Files.exists(tmp.resolve("i")) && !Files.exists(tmp.resolve("t")), "no layer created on a bad level");
    }

    @Test
    void everyCommandThatWritesChunksDocumentsTheLevel() {
        for (String cmd : new String[] {"write", "ingest", "transcode", "downsample"}) {
            String help = InProcess.run(cmd, "--help").ok().out();
            assertTrue(help.contains("--zstd-level") && help.contains("-131072 to 22"), cmd + " --help: " + help);
        }
    }
}
