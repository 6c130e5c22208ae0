package org.bigarrays.cli;

import static org.bigarrays.cli.InProcess.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.core.DataType;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bigarrays view}: the viewer state it prints, and that the URL it prints is served. */
class ViewCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    private String layer(String name, Info info) {
        String url = tmp.resolve(name).toUri().toString();
        try (BigArray a = BigArray.create(url, info, Options.defaults())) {
            return url;
        }
    }

    private Path fakeViewer() throws Exception {
        Path ng = Files.createDirectories(tmp.resolve("ng"));
        Files.writeString(ng.resolve("index.html"), "<html>viewer</html>");
        Files.writeString(ng.resolve("main.bundle.js"), "// viewer");
        return ng;
    }

    static JsonNode state(String url) throws Exception {
        int bang = url.indexOf("#!");
        assertTrue(bang > 0, url);
        return JSON.readTree(URLDecoder.decode(url.substring(bang + 2), StandardCharsets.UTF_8));
    }

    @Test
    void theUrlItPrintsShowsEachLayerAsItsTypeAtItsResolutionCentredAndIsServed() throws Exception {
        String em = layer("em", Info.builder(DataType.UINT8, new long[] {100, 60, 20}, new long[] {32, 32, 8})
                .offset(-50, 10, -7).resolution(4, 5, 40).build());
        String seg = layer("seg", Info.builder(DataType.UINT64, new long[] {100, 60, 20}, new long[] {32, 32, 8})
                .type("segmentation").encoding("compressed_segmentation").build());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "view", "--port", "0", "--layout", "xy", "--neuroglancer", fakeViewer().toString(), em, "labels=" + seg));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String url = null;
            StringBuilder seen = new StringBuilder();
            for (String line; (line = out.readLine()) != null; ) {
                seen.append(line).append('\n');
                if (line.startsWith("Neuroglancer " + ViewCommand.NEUROGLANCER_VERSION + ": ")) {
                    url = line.substring(line.indexOf(": ") + 2);
                    break;
                }
            }
            assertTrue(url != null, "no viewer URL printed: " + seen);
            assertTrue(url.startsWith("http://127.0.0.1:"), url);
            URI viewer = URI.create(url.substring(0, url.indexOf('#')));
            assertEquals("/neuroglancer/", viewer.getPath());
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(viewer).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode());
            assertEquals("<html>viewer</html>", page.body());
            assertEquals(200, HTTP.send(HttpRequest.newBuilder(viewer.resolve("main.bundle.js")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());

            JsonNode s = state(url);
            assertEquals(4e-9, s.at("/dimensions/x/0").asDouble(), 1e-21);
            assertEquals(5e-9, s.at("/dimensions/y/0").asDouble(), 1e-21);
            assertEquals(40e-9, s.at("/dimensions/z/0").asDouble(), 1e-21);
            assertEquals("m", s.at("/dimensions/x/1").asText());
            assertEquals(0.0, s.at("/position/0").asDouble());  // -50 + 100/2
            assertEquals(40.0, s.at("/position/1").asDouble()); // 10 + 60/2
            assertEquals(3.0, s.at("/position/2").asDouble());  // -7 + 20/2
            assertEquals(100 / NeuroglancerState.VIEW_PIXELS, s.get("crossSectionScale").asDouble(), 1e-12);
            assertEquals("xy", s.get("layout").asText());
            JsonNode layers = s.get("layers");
            assertEquals(2, layers.size());
            assertEquals("image", layers.get(0).get("type").asText());
            assertEquals("em", layers.get(0).get("name").asText());
            assertEquals("segmentation", layers.get(1).get("type").asText());
            assertEquals("labels", layers.get(1).get("name").asText());
            for (JsonNode l : layers) {
                String source = l.get("source").asText();
                assertTrue(source.startsWith("precomputed://http://127.0.0.1:" + viewer.getPort() + "/"), source);
                URI info = URI.create(source.substring("precomputed://".length()) + "/info");
                HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(info).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, r.statusCode(), info.toString());
                assertEquals(l.get("type").asText(), JSON.readTree(r.body()).get("type").asText());
            }
            // The page's favicon request is answered (no 404 per page load).
            HttpResponse<byte[]> icon = HTTP.send(HttpRequest.newBuilder(viewer.resolve("/favicon.ico")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, icon.statusCode());
            assertEquals("image/png", icon.headers().firstValue("Content-Type").orElse(null));
            // SIGTERM (what a supervisor sends): a graceful stop, exit 0.
            p.destroy();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), "exit code after SIGTERM");
        } finally {
            if (p.isAlive()) p.destroyForcibly();
        }
    }

    @Test
    void withoutANeuroglancerBuildItFailsNamingTheFix() throws Exception {
        String em = layer("em", Info.builder(DataType.UINT8, new long[] {10, 10, 10}, new long[] {8, 8, 8}).build());
        run("view", "--port", "0", "--neuroglancer", tmp.resolve("no-ng").toString(), em)
                .failsWith(2, "no-ng", "scripts/neuroglancer.sh", "--neuroglancer");
        run("view", "--port", "0", "--neuroglancer", fakeViewer().toString(), "neuroglancer=" + em)
                .failsWith(2, "neuroglancer");
    }
}
