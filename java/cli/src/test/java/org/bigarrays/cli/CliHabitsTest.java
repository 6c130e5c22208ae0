package org.bigarrays.cli;

import static org.bigarrays.cli.InProcess.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI follows people's habits: readable info, consistent --mips, only the options a command uses, formats by extension, errors that say what to do. */
class CliHabitsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private String layer(String name, String... extra) {
        String l = tmp.resolve(name).toString();
        String[] base = {"create", l, "--dtype", "uint8", "--size", "40,24,16", "--chunk", "8,8,8", "--resolution", "4,4,40"};
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(base), java.util.Arrays.stream(extra)).toArray(String[]::new);
        run(args).ok();
        return l;
    }

    private Path raw(String name, int n) throws IOException {
        byte[] v = new byte[n];
        for (int i = 0; i < n; i++) v[i] = (byte) (i * 7 + 1);
        return Files.write(tmp.resolve(name), v);
    }

    @Test
    void infoSummarisesEachScaleAndJsonIsTheRawInfo() throws IOException {
        String l = layer("l", "--mips", "1");
        // Nothing stored yet: the compression cannot be known.
        String empty = run("info", l).ok().out();
        assertTrue(empty.contains("compression  unknown"), empty);
        run("write", l, "--at", "0,0,0", raw("in.raw", 40 * 24 * 16).toString(), "--shape", "40,24,16", "--compress", "gzip").ok();
        String s = run("info", l).ok().out();
        assertTrue(s.contains("image uint8, 1 channel(s), 2 scale(s)"), s);
        assertTrue(s.contains("mip 0  key 4_4_40"), s);
        assertTrue(s.contains("offset 0,0,0, size 40,24,16"), s);
        assertTrue(s.contains("chunk        8,8,8"), s);
        assertTrue(s.contains("resolution   4,4,40 nm"), s);
        assertTrue(s.contains("encoding     raw"), s);
        assertTrue(s.contains("compression  gzip"), s);
        assertTrue(s.contains("sharding     off"), s);
        assertTrue(s.contains("mip 1  key 8_8_40"), s);
        assertFalse(s.contains("stored       "), "--count only: " + s);
        // --count: 5*3*2 = 30 chunks at mip 0, none at mip 1 (picocli and the fast path alike).
        String c = run("info", l, "--count").ok().out();
        assertTrue(c.contains("stored       30 of 30 chunk(s)"), c);
        assertTrue(c.contains("stored       0 of 12 chunk(s), 0 bytes"), c);
        assertEquals(c, run("info", "--debug", "--count", l).ok().out());
        // --json: the info as before, parseable.
        JsonNode j = JSON.readTree(run("info", "--json", l).ok().out());
        assertEquals("uint8", j.get("data_type").asText());
        assertEquals(2, j.get("scales").size());

        String sh = tmp.resolve("sh").toString();
        run("transcode", l, sh, "--sharding", "0,1,2", "--compress", "gzip").ok();
        String t = run("info", sh).ok().out();
        assertTrue(t.contains("sharding     preshift 0, minishard 1, shard 2 bits, hash identity"), t);
    }

    @Test
    void createMipsCountsMipsAboveZeroAsDownsampleDoes() throws IOException {
        String l = layer("l", "--mips", "3");
        assertEquals(4, JSON.readTree(run("info", "--json", l).ok().out()).get("scales").size(), "mips 0..3");
        assertEquals(1, JSON.readTree(run("info", "--json", layer("one")).ok().out()).get("scales").size(), "default: mip 0 only");
        run("create", tmp.resolve("x").toString(), "--dtype", "uint8", "--size", "40,24,16", "--chunk", "8,8,8", "--mips", "7")
                .failsWith(2, "--mips", "0..6", "7");
        assertTrue(run("create", "--help").out().contains("N+1 scales"));
        // downsample --mips 3 on a fresh layer gives the same number of scales.
        String d = layer("d");
        run("downsample", d, "--mips", "3").ok();
        assertEquals(4, JSON.readTree(run("info", "--json", d).ok().out()).get("scales").size());
    }

    @Test
    void commandsOfferOnlyTheOptionsTheyUse() {
        String l = layer("l");
        run("transcode", l, tmp.resolve("t").toString(), "--mip", "1").failsWith(2, "Unknown option", "--mip");
        assertFalse(Files.exists(tmp.resolve("t")));
        String help = run("transcode", "--help").ok().out();
        for (String o : new String[] {"--mip", "--fill", "--strict"}) assertFalse(help.contains(o + " ") || help.contains(o + "="), o + " in " + help);
        assertTrue(help.contains("--threads") && help.contains("--io"), help);
        // cutout and write still take them all.
        String c = run("cutout", "--help").ok().out();
        for (String o : new String[] {"--mip", "--fill", "--strict", "--threads", "--io"}) assertTrue(c.contains(o), o);
    }

    /** The transport compression of the stored chunk file(s) of {@code scale} (the first one found). */
    private static String magic(Path scale) throws IOException {
        try (var files = Files.list(scale)) {
            Path f = files.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
            byte[] b = Files.readAllBytes(f);
            return b.length >= 2 && (b[0] & 0xff) == 0x1f && (b[1] & 0xff) == 0x8b ? "gzip" : "other";
        }
    }

    @Test
    void transcodeKeepsTheSourcesCompressionUnlessTold() throws IOException {
        String l = layer("l");
        run("write", l, "--at", "0,0,0", raw("in.raw", 40 * 24 * 16).toString(), "--shape", "40,24,16", "--compress", "gzip").ok();
        String copy = tmp.resolve("copy").toString();
        run("transcode", l, copy).ok();
        assertEquals("gzip", magic(tmp.resolve("copy/4_4_40")));
        assertTrue(run("info", copy).ok().out().contains("compression  gzip"));
        String plain = tmp.resolve("plain").toString();
        run("transcode", l, plain, "--compress", "none").ok();
        assertEquals("other", magic(tmp.resolve("plain/4_4_40")));
        // A raw source sharded stays raw inside its shards; a gzip one stays gzip.
        String rawSharded = tmp.resolve("rs").toString(), gzSharded = tmp.resolve("gs").toString();
        run("transcode", plain, rawSharded, "--sharding", "auto").ok();
        run("transcode", l, gzSharded, "--sharding", "auto").ok();
        assertEquals("raw", JSON.readTree(run("info", "--json", rawSharded).ok().out()).at("/scales/0/sharding/data_encoding").asText());
        assertEquals("gzip", JSON.readTree(run("info", "--json", gzSharded).ok().out()).at("/scales/0/sharding/data_encoding").asText());
        // Cutouts of all of them agree.
        byte[] want = cut(l, "a.raw");
        for (String t : new String[] {copy, plain, rawSharded, gzSharded}) assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(cut(t, "b.raw")), t);
        assertTrue(run("transcode", "--help").out().replaceAll("\\s+", " ").contains("Default: the source's"));
    }

    private byte[] cut(String layer, String name) throws IOException {
        Path o = tmp.resolve(name);
        run("cutout", layer, "--box", "0,0,0:40,24,16", "-o", o.toString()).ok();
        return Files.readAllBytes(o);
    }
}
