package org.bigarrays.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.ingest.Stacks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bigarrays spark ingest|transcode} in this JVM on local[2]: exact voxels, exit 2 with one line naming a bad slice. */
class SparkMainTest {
    @TempDir
    Path tmp;

    record Run(int code, String err) {}

    /** {@code SparkMain.run(args)} with its standard error captured (one at a time: System.err is global). */
    static synchronized Run run(String... args) {
        PrintStream err0 = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setErr(e);
            code = SparkMain.run(args);
        } finally {
            System.setErr(err0);
        }
        return new Run(code, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void ingestThenTranscodeAndABadSlice() throws Exception {
        List<Path> files = Stacks.writeSlices(tmp.resolve("src"), "z", "png", DataType.UINT8, 50, 40, 6, 1);
        Run r = run("ingest", tmp.resolve("src").toString(), tmp.resolve("l").toString(), "--master", "local[2]", "--chunk", "16,16,2",
                "--resolution", "4,4,40", "--box-mb", "1");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("box(es) written"), r.err());
        r = run("transcode", tmp.resolve("l").toString(), tmp.resolve("t").toString(), "--master", "local[2]", "--compress", "gzip", "--sharding", "auto");
        assertEquals(0, r.code(), r.err());
        try (BigArray a = BigArray.open(tmp.resolve("t").toString())) {
            NdView v = a.read(a.bounds());
            for (int z = 0; z < 6; z++) for (int y = 0; y < 40; y++) for (int x = 0; x < 50; x++) {
                assertEquals(Stacks.value(DataType.UINT8, x, y, z, 0), v.getAsLong(x, y, z));
            }
        }

        r = run("downsample", tmp.resolve("t").toString(), "--master", "local[2]", "--mips", "2");
        assertEquals(0, r.code(), r.err());
        try (BigArray a = BigArray.open(tmp.resolve("t").toString())) {
            assertEquals(3, a.info().scales().size());
            NdView m1 = a.mip(1).read(a.mip(1).bounds());
            long sum = 0; // mean of the 2x2x2 block at the origin (the default factor for 4,4,40 nm is 2,2,1: check both)
            long[] f = {a.info().scale(0).size()[0] / a.info().scale(1).size()[0], 2, a.info().scale(0).size()[2] / a.info().scale(1).size()[2]};
            for (int z = 0; z < f[2]; z++) for (int y = 0; y < 2; y++) for (int x = 0; x < 2; x++) sum += (long) Stacks.value(DataType.UINT8, x, y, z, 0);
            long n = 4 * f[2];
            assertEquals((double) sum / n, m1.getAsLong(0, 0, 0), 0.5 + 1e-9, "mean of the block (rounded)");
        }

        byte[] b = Files.readAllBytes(files.get(4));
        int idat = new String(b, StandardCharsets.ISO_8859_1).indexOf("IDAT");
        java.util.Arrays.fill(b, idat + 6, Math.min(b.length - 12, idat + 40), (byte) 0xff);
        Files.write(files.get(4), b);
        r = run("ingest", tmp.resolve("src").toString(), tmp.resolve("bad").toString(), "--master", "local[2]", "--chunk", "16,16,2");
        assertEquals(2, r.code(), r.err());
        String last = r.err().lines().filter(l -> l.startsWith("bigarrays spark: error:")).findFirst().orElse("");
        assertTrue(last.contains("z4.png") && last.contains("box "), r.err());
        assertEquals(2, run("ingest", "--bogus").code());
        assertEquals(0, run("transcode", "--help").code());
    }

    /**
     * The jobs take the CLI's option mixins (module java/options): the same encoding, compression
     * and restart options, parsed and checked alike (a bad --block exits 2 naming it, before Spark
     * starts), and the pyramid options of the CLI's downsample.
     */
    @Test
    void jobsTakeTheClisSharedOptions() {
        picocli.CommandLine cl = new picocli.CommandLine(new SparkMain());
        for (String job : List.of("ingest", "transcode")) {
            String help = cl.getSubcommands().get(job).getUsageMessage();
            for (String o : List.of("--encoding=", "--block=", "--jpeg-quality=", "--png-level=", "--jxl-quality=", "--sharding=", "--compress=", "--restart")) {
                assertTrue(help.contains(o), job + " lacks " + o + ": " + help);
            }
        }
        String ds = cl.getSubcommands().get("downsample").getUsageMessage();
        for (String o : List.of("--mips", "--factor", "--method", "--sparse", "--chunk", "--compress", "--restart")) assertTrue(ds.contains(o), "downsample lacks " + o);
        Run r = run("transcode", tmp.resolve("a").toString(), tmp.resolve("b").toString(), "--block", "1,2");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--block: expected 3 values X,Y,Z, found '1,2'"), r.err());
        for (String job : List.of("ingest", "transcode", "downsample")) {
            assertTrue(cl.getSubcommands().get(job).getUsageMessage().contains("--zstd-level=N"), job + " lacks --zstd-level");
        }
        // A level outside zstd's range exits 2 with one line naming it, before Spark starts or anything is written.
        for (String[] args : List.of(new String[] {"transcode", tmp.resolve("a").toString(), tmp.resolve("c").toString(), "--zstd-level", "23"},
                new String[] {"downsample", tmp.resolve("a").toString(), "--zstd-level", "23"},
                new String[] {"ingest", tmp.resolve("a").toString(), tmp.resolve("c").toString(), "--zstd-level", "23"})) {
            Run z = run(args);
            assertEquals(2, z.code(), args[0] + ": " + z.err());
            assertTrue(z.err().contains("zstd level 23: expected -131072 to 22"), args[0] + ": " + z.err());
            assertEquals(1, z.err().strip().lines().count(), args[0] + ": " + z.err());
        }
        assertTrue(!java.nio.file.Files.exists(tmp.resolve("c")), "nothing written");
    }

    /**
     * The jobs take every URL form: file:// without a trailing slash (the form whose pyramid
     * reopened the layer at a wrong, relative path), with one, and Neuroglancer's precomputed://.
     */
    @Test
    void jobsTakeFileUrlsWithAndWithoutATrailingSlashAndPrecomputed() throws Exception {
        Stacks.writeSlices(tmp.resolve("src"), "z", "png", DataType.UINT8, 40, 30, 8, 1);
        String l = "file://" + tmp.resolve("l").toAbsolutePath();
        Run r = run("ingest", "file://" + tmp.resolve("src").toAbsolutePath(), l, "--master", "local[2]", "--chunk", "16,16,4", "--downsample");
        assertEquals(0, r.code(), r.err());
        String t = "precomputed://file://" + tmp.resolve("t").toAbsolutePath() + "/";
        r = run("transcode", "precomputed://" + l, t, "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        r = run("downsample", l + "/", "--master", "local[2]", "--mips", "3");
        assertEquals(0, r.code(), r.err());
        for (String url : List.of(l, t)) {
            try (BigArray a = BigArray.open(url)) {
                assertEquals(url.equals(l) ? 4 : 3, a.info().scales().size(), url);
                NdView v = a.read(a.bounds());
                for (int z = 0; z < 8; z++) for (int y = 0; y < 30; y++) for (int x = 0; x < 40; x++) {
                    assertEquals(Stacks.value(DataType.UINT8, x, y, z, 0), v.getAsLong(x, y, z), url);
                }
            }
        }
        assertTrue(!Files.exists(Path.of("file:")), "nothing written under a relative 'file:' directory");
    }
}
