package org.bigarrays.cli;

import static org.bigarrays.cli.InProcess.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
        long onDisk;
        try (var f = Files.list(tmp.resolve("l/4_4_40"))) {
            onDisk = f.mapToLong(p -> p.toFile().length()).sum();
        }
        assertTrue(c.contains("stored       30 of 30 chunk(s), " + CutoutSize.human(onDisk)), onDisk + ": " + c);
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
        // cutout takes them all; write all but --strict (a write never fails on a missing chunk).
        String c = run("cutout", "--help").ok().out();
        for (String o : new String[] {"--mip", "--fill", "--strict", "--threads", "--io"}) assertTrue(c.contains(o), o);
        String w = run("write", "--help").ok().out();
        for (String o : new String[] {"--mip", "--fill", "--threads", "--io"}) assertTrue(w.contains(o), o);
        assertFalse(w.contains("--strict"), w);
        run("write", l, "--at", "0,0,0", "x.raw", "--strict").failsWith(2, "Unknown option", "--strict");
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

    /** A 2-channel uint16 layer 40x24x16 holding v(x,y,z,c) = x + 40y + 960z + 16000c. */
    private String twoChannelLayer() throws IOException {
        String l = tmp.resolve("two").toString();
        run("create", l, "--dtype", "uint16", "--size", "40,24,16", "--chunk", "8,8,8", "--channels", "2").ok();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(40 * 24 * 16 * 2 * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int c = 0; c < 2; c++) for (int z = 0; z < 16; z++) for (int y = 0; y < 24; y++) for (int x = 0; x < 40; x++) b.putShort((short) v(x, y, z, c));
        run("write", l, "--at", "0,0,0", Files.write(tmp.resolve("two.raw"), b.array()).toString(), "--shape", "40,24,16,2").ok();
        return l;
    }

    private static int v(int x, int y, int z, int c) {
        return x + 40 * y + 960 * z + 16000 * c;
    }

    /** The voxels of box 2,3,4:38,20,13 in (z,y,x,c) order, C order. */
    private static byte[] zyxExpected() {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(36 * 17 * 9 * 2 * 2).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int z = 4; z < 13; z++) for (int y = 3; y < 20; y++) for (int x = 2; x < 38; x++) for (int c = 0; c < 2; c++) b.putShort((short) v(x, y, z, c));
        return b.array();
    }

    private static final String BOX = "2,3,4:38,20,13";

    @Test
    void cutoutWritesAMultiPageTiffStreamedPlaneByPlane() throws IOException {
        String l = twoChannelLayer();
        byte[] want = zyxExpected();
        // 4 KiB: one plane (36*17*2*2 = 2448 bytes) at a time, so every page is its own slab.
        for (String mem : new String[] {"256M", "4K"}) {
            Path t = tmp.resolve("c" + mem + ".tif");
            run("cutout", l, "--box", BOX, "--memory", mem, "-o", t.toString()).ok();
            Tiff tiff = Tiff.read(Files.readAllBytes(t));
            assertEquals(9, tiff.pages.size(), "one page per z");
            for (Tiff.Page p : tiff.pages) {
                assertEquals(List.of(36L, 17L, 2L, 16L, 1L, 1L), List.of(p.width, p.height, p.spp, p.bits, p.sampleFormat, p.compression));
            }
            assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(tiff.data()), mem);
        }
        // .TIFF in capitals, and a one-channel layer read back by the ingest's TIFF reader.
        String one = layer("one");
        run("write", one, "--at", "0,0,0", raw("one.raw", 40 * 24 * 16).toString(), "--shape", "40,24,16").ok();
        Path t = tmp.resolve("ONE.TIFF");
        run("cutout", one, "--box", "0,0,0:40,24,16", "-o", t.toString()).ok();
        String back = tmp.resolve("back").toString();
        run("ingest", t.toString(), back).ok();
        assertEquals(java.util.Arrays.toString(cut(one, "a.raw")), java.util.Arrays.toString(cut(back, "b.raw")));
        // A plane larger than --memory: refused before reading, naming the way out.
        run("cutout", l, "--box", BOX, "--memory", "1K", "-o", tmp.resolve("x.tif").toString()).failsWith(2, "z-plane", "--memory");
        assertFalse(Files.exists(tmp.resolve("x.tif")));
    }

    @Test
    void bigTiffPastTheClassicLimit() throws IOException {
        String l = twoChannelLayer();
        long limit = PlaneCutout.classicTiffLimit;
        PlaneCutout.classicTiffLimit = 1000; // a small file takes the >4 GiB path
        try {
            Path t = tmp.resolve("big.tif");
            run("cutout", l, "--box", BOX, "--memory", "8K", "-o", t.toString()).ok();
            Tiff tiff = Tiff.read(Files.readAllBytes(t));
            assertTrue(tiff.big());
            assertEquals(9, tiff.pages.size());
            assertEquals(List.of(36L, 17L, 2L, 16L, 1L), List.of(tiff.pages.get(8).width, tiff.pages.get(8).height, tiff.pages.get(8).spp,
                    tiff.pages.get(8).bits, tiff.pages.get(8).sampleFormat));
            assertEquals(java.util.Arrays.toString(zyxExpected()), java.util.Arrays.toString(tiff.data()));
        } finally {
            PlaneCutout.classicTiffLimit = limit;
        }
    }

    @Test
    void threeChannelTiffKeepsPerSampleTagsOutOfLine() throws IOException {
        // 3 SHORTs do not fit a classic entry's 4 bytes: BitsPerSample, ExtraSamples and SampleFormat go after the IFD.
        String l = tmp.resolve("rgb").toString();
        run("create", l, "--dtype", "uint8", "--size", "5,3,2", "--chunk", "5,3,2", "--channels", "3").ok();
        byte[] in = new byte[5 * 3 * 2 * 3];
        for (int i = 0; i < in.length; i++) in[i] = (byte) i; // x fastest, then y, z, c
        run("write", l, "--at", "0,0,0", Files.write(tmp.resolve("rgb.raw"), in).toString(), "--shape", "5,3,2,3").ok();
        Path t = tmp.resolve("rgb.tif");
        run("cutout", l, "--box", "0,0,0:5,3,2", "-o", t.toString()).ok();
        Tiff tiff = Tiff.read(Files.readAllBytes(t));
        assertEquals(2, tiff.pages.size());
        for (Tiff.Page p : tiff.pages) assertEquals(List.of(5L, 3L, 3L, 8L, 1L), List.of(p.width, p.height, p.spp, p.bits, p.sampleFormat));
        byte[] want = new byte[in.length];
        int k = 0;
        for (int z = 0; z < 2; z++) for (int y = 0; y < 3; y++) for (int x = 0; x < 5; x++) for (int c = 0; c < 3; c++) want[k++] = in[x + 5 * (y + 3 * (z + 2 * c))];
        assertArrayEquals(want, tiff.data());
    }

    @Test
    void cutoutRefusesUnknownExtensions() {
        String l = layer("l");
        for (String name : new String[] {"out.dat", "out", "out.h5"}) {
            run("cutout", l, "--box", "0,0,0:8,8,8", "-o", tmp.resolve(name).toString()).failsWith(2, name, ".npy", ".raw", ".bin", ".tif", ".tiff", "- (raw to stdout)");
            assertFalse(Files.exists(tmp.resolve(name)));
        }
        run("cutout", l, "--box", "0,0,0:8,8,8", "-o", tmp.resolve("out.BIN").toString()).ok();
        run("cutout", l, "--box", "0,0,0:8,8,8", "-o", "/dev/null").ok(); // devices: raw, as before
    }

    @Test
    void axesZyxForCutoutsAndWrites() throws Exception {
        String l = twoChannelLayer();
        byte[] want = zyxExpected();
        Path npy = tmp.resolve("zyx.npy"), rawOut = tmp.resolve("zyx.raw");
        run("cutout", l, "--box", BOX, "--axes", "zyx", "-o", npy.toString()).ok();
        run("cutout", l, "--box", BOX, "--axes", "zyx", "--memory", "3K", "-o", rawOut.toString()).ok();
        byte[] n = Files.readAllBytes(npy);
        String header = new String(n, 0, 128, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'fortran_order': False") && header.contains("'shape': (9, 17, 36, 2, )"), header);
        assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(java.util.Arrays.copyOfRange(n, 128, n.length)));
        assertEquals(java.util.Arrays.toString(want), java.util.Arrays.toString(Files.readAllBytes(rawOut)));
        // stdout is the process's file descriptor: a subprocess.
        CliTest.Run so = CliTest.cli("cutout", l, "--box", BOX, "--axes", "zyx", "-o", "-");
        assertEquals(0, so.code(), so.stderr());
        assertArrayEquals(want, so.stdout());
        run("cutout", l, "--box", BOX, "--axes", "yxz", "-o", npy.toString()).failsWith(2, "--axes", "yxz", "zyx");

        // write --axes zyx takes the (z,y,x,c) array back where it came from: npy, and raw with --shape Z,Y,X,C.
        for (String in : new String[] {npy.toString(), rawOut.toString()}) {
            String d = tmp.resolve("d" + in.hashCode()).toString();
            run("create", d, "--dtype", "uint16", "--size", "40,24,16", "--chunk", "8,8,8", "--channels", "2").ok();
            run("write", d, "--at", "2,3,4", in, "--axes", "zyx", "--rmw", "--shape", "9,17,36,2").ok();
            Path a = tmp.resolve("a.npy"), b = tmp.resolve("b.npy");
            run("cutout", l, "--box", BOX, "-o", a.toString()).ok();
            run("cutout", d, "--box", BOX, "-o", b.toString()).ok();
            assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), in);
        }
    }

    @Test
    void aCOrder3dNpyWithoutAxesGetsOneWarningLine() throws IOException {
        String l = layer("l");
        java.io.ByteArrayOutputStream h = new java.io.ByteArrayOutputStream();
        Npy.writeHeader(h, org.bigarrays.core.DataType.UINT8, new long[] {8, 8, 8});
        String hs = new String(h.toByteArray(), java.nio.charset.StandardCharsets.ISO_8859_1).replace("'fortran_order': True, ", "'fortran_order': False,");
        byte[] file = java.util.Arrays.copyOf(hs.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), hs.length() + 512);
        Path c = Files.write(tmp.resolve("c.npy"), file);
        InProcess.Run r = run("write", l, "--at", "0,0,0", c.toString()).ok();
        List<String> warn = r.stderr().lines().filter(s -> s.contains("warning")).toList();
        assertEquals(1, warn.size(), r.stderr());
        assertTrue(warn.get(0).contains("(x,y,z)") && warn.get(0).contains("--axes zyx"), warn.get(0));
        assertFalse(run("write", l, "--at", "0,0,0", c.toString(), "--axes", "xyz").ok().stderr().contains("warning"));
        assertFalse(run("write", l, "--at", "0,0,0", c.toString(), "--axes", "zyx").ok().stderr().contains("warning"));
    }

    @Test
    void mistypedCommandsAndFlagsGetSuggestionsOnOneLine() {
        String l = layer("l");
        run("infoo", l).failsWith(2, "did you mean info");
        run("cutuot", l).failsWith(2, "did you mean cutout?");
        run("info", "--jsno", l).failsWith(2, "'--jsno'", "did you mean --json?");
        // A swap, which picocli's letter-pair similarity misses.
        run("cutout", l, "--box", "0,0,0:8,8,8", "--mpi", "1", "-o", tmp.resolve("o.npy").toString()).failsWith(2, "--mpi", "did you mean --mip?");
        run("ingest", "--thread", "2", l, tmp.resolve("x").toString()).failsWith(2, "did you mean --threads?");
    }

    @Test
    void anExpandedGlobIsOneLineSayingToQuoteIt() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("slices"));
        List<String> args = new java.util.ArrayList<>(List.of("ingest"));
        for (int i = 0; i < 18; i++) args.add(Files.createFile(dir.resolve(String.format("s%02d.tif", i))).toString());
        args.add(tmp.resolve("dst").toString());
        InProcess.Run r = run(args.toArray(String[]::new)).failsWith(2, "ingest takes one SRC", "quote a glob", "'" + dir + "/*.tif'");
        assertFalse(r.stderr().contains("s17.tif"), r.stderr());
        assertFalse(Files.exists(tmp.resolve("dst")));
    }

    @Test
    void aRefusedConnectionNamesHostAndPort() throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // closed below: nothing listens there
        }
        run("info", "http://127.0.0.1:" + port + "/layer").failsWith(1, "cannot connect to 127.0.0.1:" + port + " (connection refused)");
        assertEquals("cannot connect to example.org:443 (connection refused): read https://example.org/l key 'info' failed",
                Main.message(new IOException("read https://example.org/l key 'info' failed", new java.net.ConnectException())));
        assertEquals("cannot connect to h:9000 (connection refused): x", Main.message(new RuntimeException("x", new IOException("Connection refused: h/10.0.0.1:9000"))).replace("RuntimeException: ", ""));
    }

    @Test
    void anUnalignedWriteNamesRmw() throws IOException {
        String l = layer("l");
        run("write", l, "--at", "1,1,1", raw("in.raw", 64).toString(), "--shape", "4,4,4").failsWith(2, "not chunk-aligned", "--rmw");
        run("write", l, "--at", "1,1,1", raw("in.raw", 64).toString(), "--shape", "4,4,4", "--rmw").ok();
    }

    @Test
    void helpTextsEndTheirSentences() {
        for (String sub : List.of("info", "create", "cutout", "write", "demo", "transcode", "downsample", "verify", "serve", "view", "ingest", "version")) {
            var help = run(sub, "--help").ok();
            // A bare '%' in a description makes picocli warn on stderr and print the text unformatted.
            assertFalse(help.stderr().contains("picocli WARN"), sub + ": " + help.stderr());
            List<String> lines = help.out().lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                assertTrue(line.length() <= 80, sub + ": " + line);
                // A word cut at a dot ("index." / "html", "BigArrays." / "jl"): picocli breaks lines there.
                if (i + 1 < lines.size() && line.matches(".*\\w\\.$")) {
                    String next = lines.get(i + 1).trim();
                    assertFalse(!next.isEmpty() && Character.isLowerCase(next.charAt(0)), sub + ": '" + line + "' / '" + next + "'");
                }
            }
        }
        String serve = run("serve", "--help").out();
        assertTrue(serve.contains("with Content-Encoding: gzip)") && serve.contains("Runs until interrupted (Ctrl-C)."), serve);
        assertTrue(run("view", "--help").out().contains("Runs until interrupted (Ctrl-C)."));
    }

    @Test
    void cutoutProgressCountsMegabytesNotChunks() {
        // StreamedCutout and PlaneCutout report bytes written; the other commands' listeners count chunks.
        assertEquals(" MB", Terminal.Bar.bytes("cutout").unit());
        assertEquals(" chunks", new Terminal.Bar("write").unit());
    }

    /** A minimal reader of uncompressed, one-strip-per-page little-endian TIFFs and BigTIFFs: the test's own, not the code's. */
    record Tiff(List<Page> pages, byte[] file, boolean big) {
        record Page(long width, long height, long spp, long bits, long sampleFormat, long compression, long offset, long count) {}

        static Tiff read(byte[] f) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(f).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            assertEquals('I', f[0]);
            boolean big = b.getShort(2) == 43;
            if (!big) assertEquals(42, b.getShort(2));
            else assertEquals(8, b.getShort(4));
            int countBytes = big ? 8 : 4, entryBytes = big ? 20 : 12, headBytes = big ? 8 : 2;
            List<Page> pages = new java.util.ArrayList<>();
            long at = big ? b.getLong(8) : Integer.toUnsignedLong(b.getInt(4));
            while (at != 0) {
                assertEquals(0, at % 2, "IFDs on word boundaries");
                long n = big ? b.getLong((int) at) : Short.toUnsignedInt(b.getShort((int) at));
                java.util.Map<Integer, Long> tags = new java.util.HashMap<>();
                int prev = -1;
                for (int i = 0; i < n; i++) {
                    int e = (int) at + headBytes + entryBytes * i;
                    int tag = Short.toUnsignedInt(b.getShort(e)), type = b.getShort(e + 2);
                    assertTrue(tag > prev, "tags ascending");
                    prev = tag;
                    long count = big ? b.getLong(e + 4) : Integer.toUnsignedLong(b.getInt(e + 4));
                    int field = e + 4 + countBytes;
                    long value = switch (type) {
                        case 3 -> Short.toUnsignedInt(b.getShort(field));
                        case 4 -> Integer.toUnsignedLong(b.getInt(field));
                        case 16 -> b.getLong(field);
                        default -> throw new AssertionError("type " + type);
                    };
                    if (type == 3 && count * 2 > countBytes) {
                        long where = big ? b.getLong(field) : Integer.toUnsignedLong(b.getInt(field));
                        value = Short.toUnsignedInt(b.getShort((int) where));
                    }
                    tags.put(tag, value);
                }
                pages.add(new Page(tags.get(256), tags.get(257), tags.get(277), tags.get(258), tags.get(339), tags.get(259), tags.get(273), tags.get(279)));
                int next = (int) at + headBytes + entryBytes * (int) n;
                at = big ? b.getLong(next) : Integer.toUnsignedLong(b.getInt(next));
            }
            return new Tiff(pages, f, big);
        }

        byte[] data() {
            java.io.ByteArrayOutputStream o = new java.io.ByteArrayOutputStream();
            for (Page p : pages) o.write(file, (int) p.offset, (int) p.count);
            return o.toByteArray();
        }
    }
}
