package org.bigarrays.cli;

import static org.bigarrays.cli.InProcess.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.SimpleFileServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.downsample.DownsampleMethod;
import org.bigarrays.downsample.DownsampleReference;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.server.LayerServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every subcommand over every way of writing a layer's location: a relative path, an absolute
 * path, {@code file:///abs} with and without a trailing slash, Neuroglancer's
 * {@code precomputed://file:///abs}, and in-process {@code mem://} (with and without
 * {@code precomputed://}); then {@code http://} read-only from a loopback static file server.
 * Each run checks what it produced: voxels read back, the info's scales. (s3:// and
 * precomputed://s3:// are covered against the real S3 test server in the s3 module's
 * S3ArrayRoundTripTest.)
 */
class UrlFormsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long[] SIZE = {40, 30, 20};

    @TempDir
    Path tmp;

    /** The value at (x, y, z): distinct enough that a shifted or missing slice shows. */
    private static int value(long x, long y, long z) {
        return (int) ((x + 41 * y + 1301 * z) & 0xffff);
    }

    /** The layer's voxels in x-fastest order, as little-endian uint16 bytes. */
    private static byte[] expected() {
        ByteBuffer b = ByteBuffer.allocate((int) (SIZE[0] * SIZE[1] * SIZE[2] * 2)).order(ByteOrder.LITTLE_ENDIAN);
        for (long z = 0; z < SIZE[2]; z++) for (long y = 0; y < SIZE[1]; y++) for (long x = 0; x < SIZE[0]; x++) b.putShort((short) value(x, y, z));
        return b.array();
    }

    private static byte[] bytes(NdView v) {
        return v.segment().asSlice(v.byteOffset(), v.byteSize()).toArray(ValueLayout.JAVA_BYTE);
    }

    private static byte[] readBack(String url, int mip) {
        try (BigArray a = BigArray.open(url)) {
            BigArray m = a.mip(mip);
            return bytes(m.read(m.bounds()));
        }
    }

    /** The ways to write the location of {@code dir}, which does not need to exist yet. */
    private static List<String> localForms(Path dir) {
        String abs = dir.toAbsolutePath().toString();
        String rel = Path.of("").toAbsolutePath().relativize(dir.toAbsolutePath()).toString();
        return List.of(rel, abs, "file://" + abs, "file://" + abs + "/", "precomputed://file://" + abs);
    }

    private Path input() throws Exception {
        Path in = tmp.resolve("in.npy");
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        Npy.writeHeader(bos, DataType.UINT16, SIZE); // Fortran order: x fastest, as expected() is
        bos.write(expected());
        Files.write(in, bos.toByteArray());
        return in;
    }

    /** 16-bit PNG slices z000.png.. of the same voxels, for ingest. */
    private Path slices() throws Exception {
        Path d = Files.createDirectories(tmp.resolve("slices"));
        for (int z = 0; z < SIZE[2]; z++) {
            BufferedImage im = new BufferedImage((int) SIZE[0], (int) SIZE[1], BufferedImage.TYPE_USHORT_GRAY);
            for (int y = 0; y < SIZE[1]; y++) for (int x = 0; x < SIZE[0]; x++) im.getRaster().setSample(x, y, 0, value(x, y, z));
            assertTrue(ImageIO.write(im, "png", d.resolve(String.format("z%03d.png", z)).toFile()));
        }
        return d;
    }

    /** create, write, info, cutout, downsample, transcode, ingest (+ --downsample), serve and view over {@code form}; {@code other} is a second location spelled the same way. */
    private void everyCommand(String form, String other, String ingested, Path in, Path slices) throws Exception {
        byte[] expected = expected();
        run("create", form, "--dtype", "uint16", "--size", "40,30,20", "--chunk", "16,16,8").ok();
        run("write", form, in.toString(), "--at", "0,0,0").ok();
        assertArrayEquals(expected, readBack(form, 0), form);

        JsonNode info = JSON.readTree(run("info", "--json", form).ok().out());
        assertEquals("[40,30,20]", info.at("/scales/0/size").toString(), form);

        Path out = tmp.resolve("cut-" + Math.abs(form.hashCode()) + ".npy");
        run("cutout", form, "--box", "0,0,0:40,30,20", "-o", out.toString()).ok();
        byte[] file = Files.readAllBytes(out);
        assertArrayEquals(expected, Arrays.copyOfRange(file, file.length - expected.length, file.length), "cutout of " + form);

        // The reported bug: file:///abs without a trailing slash added the scales, then failed reopening the layer.
        run("downsample", form, "--mips", "2").ok();
        try (BigArray a = BigArray.open(form)) {
            assertEquals(3, a.info().scales().size(), form);
            NdView mip1 = DownsampleReference.downsample(a.read(a.bounds()), new long[] {2, 2, 2}, DownsampleMethod.MEAN, false, 0);
            assertArrayEquals(bytes(mip1), bytes(a.mip(1).read(a.mip(1).bounds())), "mip 1 of " + form);
        }

        run("transcode", form, other, "--compress", "gzip").ok();
        assertArrayEquals(expected, readBack(other, 0), "transcode " + form + " -> " + other);
        assertArrayEquals(readBack(form, 2), readBack(other, 2), "transcode keeps the mips");

        run("ingest", slices.toString(), ingested, "--chunk", "16,16,8", "--downsample").ok();
        try (BigArray a = BigArray.open(ingested)) {
            assertTrue(a.info().scales().size() > 1, "ingest --downsample into " + ingested);
        }
        assertArrayEquals(expected, readBack(ingested, 0), "ingest into " + ingested);
        assertArrayEquals(readBack(form, 1), readBack(ingested, 1), "ingest --downsample's mip 1 into " + ingested);

        // serve and view: the options the commands parse, started as they start them, without waiting for Ctrl-C.
        ServerOptions so = new ServerOptions();
        so.layers = List.of(form, "other=" + other);
        so.port = 0;
        so.bind = "127.0.0.1";
        so.cache = "16M";
        try (LayerServer s = so.builder().start()) {
            String name = s.layers().keySet().stream().filter(n -> !n.equals("other")).findFirst().orElseThrow();
            for (String n : List.of(name, "other")) {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(s.layerUrl(n).resolve("info")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), "serve " + form + ": " + n);
                assertEquals(3, JSON.readTree(r.body()).get("scales").size(), "serve " + form + ": " + n);
            }
            String viewer = URI.create(ViewCommand.viewerUrl(s, "xy").toString()).toString();
            assertTrue(viewer.contains("precomputed"), viewer);
        }
    }

    @Test
    void everySubcommandTakesEveryLocalForm() throws Exception {
        Path in = input();
        Path slices = slices();
        List<String> forms = localForms(tmp.resolve("layer"));
        for (int i = 0; i < forms.size(); i++) {
            // Each form names its own directories: the same spelling, another place.
            String form = forms.get(i).replace("layer", "layer" + i);
            everyCommand(form, form.replace("layer" + i, "copy" + i), form.replace("layer" + i, "ingested" + i), in, slices);
        }
        // ingest's SRC as a file URL, with and without a trailing slash.
        String abs = slices.toAbsolutePath().toString();
        for (String src : List.of("file://" + abs, "file://" + abs + "/", "file://" + abs + "/z*.png")) {
            String dst = tmp.resolve("from-url-" + Math.abs(src.hashCode())).toString();
            run("ingest", src, dst, "--chunk", "16,16,8").ok();
            assertArrayEquals(expected(), readBack(dst, 0), src);
        }
        run("ingest", "s3://bucket/slices", tmp.resolve("x").toString()).failsWith(2, "s3://bucket/slices", "local files");
    }

    @Test
    void everySubcommandTakesMemoryUrlsInProcess() throws Exception {
        Path in = input();
        Path slices = slices();
        try {
            everyCommand("mem://url-forms/layer", "precomputed://mem://url-forms/copy/", "mem://url-forms/ingested", in, slices);
            everyCommand("precomputed://mem://url-forms/layer2", "mem://url-forms/copy2", "precomputed://mem://url-forms/ingested2/", in, slices);
        } finally {
            KeyValueStores.dropMemory("url-forms");
        }
    }

    /** http(s):// is read-only: info, cutout, transcode from it, serve it; writing to it fails naming it. */
    @Test
    void httpUrlsReadFromALoopbackServer() throws Exception {
        Path in = input();
        Path root = tmp.resolve("www");
        String layer = root.resolve("em").toString();
        run("create", layer, "--dtype", "uint16", "--size", "40,30,20", "--chunk", "16,16,8").ok();
        run("write", layer, in.toString(), "--at", "0,0,0").ok();
        HttpServer server = SimpleFileServer.createFileServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                root.toAbsolutePath(), SimpleFileServer.OutputLevel.NONE);
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/em";
            for (String form : List.of(base, base + "/", "precomputed://" + base)) {
                assertEquals("[40,30,20]", JSON.readTree(run("info", "--json", form).ok().out()).at("/scales/0/size").toString(), form);
                Path out = tmp.resolve("http-" + Math.abs(form.hashCode()) + ".npy");
                run("cutout", form, "--box", "0,0,0:40,30,20", "-o", out.toString()).ok();
                byte[] file = Files.readAllBytes(out);
                byte[] expected = expected();
                assertArrayEquals(expected, Arrays.copyOfRange(file, file.length - expected.length, file.length), form);
                String copy = tmp.resolve("from-http-" + Math.abs(form.hashCode())).toString();
                run("transcode", form, copy).ok();
                assertArrayEquals(expected, readBack(copy, 0), form);
                ServerOptions so = new ServerOptions();
                so.layers = List.of(form);
                so.port = 0;
                so.bind = "127.0.0.1";
                so.cache = "0";
                try (LayerServer s = so.builder().start()) {
                    assertEquals(List.of("em"), List.copyOf(s.layers().keySet()), form);
                }
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void badUrlsExitTwoNamingTheUrlAndTheForms() {
        for (String bad : List.of("file://data/em", "s3:bucket/em", "precomputed://", "gs:///em")) {
            run("info", bad).failsWith(2, bad, "file:///absolute/path", "precomputed://");
            run("create", bad, "--dtype", "uint8", "--size", "8,8,8", "--chunk", "8,8,8").failsWith(2, bad, "file:///absolute/path");
            run("downsample", bad).failsWith(2, bad, "file:///absolute/path");
        }
    }
}
