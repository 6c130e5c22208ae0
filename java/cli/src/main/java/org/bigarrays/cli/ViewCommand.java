package org.bigarrays.cli;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bigarrays.InvalidInputException;
import org.bigarrays.server.LayerServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code bigarrays view [NAME=]URL...}: serve layers and a Neuroglancer build on one port, and
 * print (or open) a viewer URL whose state shows them.
 */
@Command(name = "view", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Serve layers (as 'bigarrays serve' does) and a Neuroglancer build on one port,",
                "and print a viewer URL showing them: image layers as image, segmentation as",
                "segmentation, at the first layer's resolution, centred on it. The viewer is",
                "neuroglancer " + ViewCommand.NEUROGLANCER_VERSION + " (Apache-2.0) from npm, bundled by",
                "scripts/neuroglancer.sh when ./bigarrays builds the CLI (never at run time,",
                "never committed).",
                "Runs until interrupted (Ctrl-C)."})
final class ViewCommand implements Callable<Integer> {
    /** The Neuroglancer release scripts/neuroglancer.sh builds (keep the two in step). */
    static final String NEUROGLANCER_VERSION = "2.41.2";
    /** Where the viewer is mounted on the server. */
    static final String VIEWER_PREFIX = "neuroglancer";

    @Mixin
    ServerOptions server;

    @Option(names = "--neuroglancer", paramLabel = "DIR",
            description = "the folder of a built Neuroglancer, the one with its index page (default: $BIGARRAYS_NEUROGLANCER, else build/neuroglancer in the checkout)")
    Path neuroglancer;

    @Option(names = "--layout", defaultValue = "4panel", paramLabel = "LAYOUT", description = "Neuroglancer layout: 4panel, xy, xz, yz, 3d, xy-3d, ... (default ${DEFAULT-VALUE})")
    String layout;

    @Option(names = "--open", description = "also open the URL in a browser (xdg-open)")
    boolean open;

    @Override
    public Integer call() throws InterruptedException {
        Path viewer = viewerDir();
        LayerServer.Builder b = server.builder().staticFiles(VIEWER_PREFIX, viewer);
        Shutdown shutdown = new Shutdown();
        int code;
        try (LayerServer s = b.start()) {
            URI url = viewerUrl(s, layout);
            ServeCommand.printUrls(s);
            System.out.println("Neuroglancer " + NEUROGLANCER_VERSION + ": " + url);
            System.out.flush();
            if (open) open(url);
            code = shutdown.await();
        }
        return code;
    }

    /** The viewer URL showing every layer of {@code s}. */
    static URI viewerUrl(LayerServer s, String layout) {
        Map<String, NeuroglancerState.Layer> layers = new LinkedHashMap<>();
        s.layers().forEach((name, a) -> layers.put(name, new NeuroglancerState.Layer(a.info(), s.neuroglancerSource(name))));
        return NeuroglancerState.url(s.baseUrl().resolve(VIEWER_PREFIX + "/"), NeuroglancerState.of(layers, layout));
    }

    private Path viewerDir() {
        Path dir = neuroglancer != null ? neuroglancer : defaultViewerDir();
        if (!Files.isRegularFile(dir.resolve("index.html"))) {
            throw new InvalidInputException("no Neuroglancer build at " + dir + " (no index.html): run scripts/neuroglancer.sh in the checkout, or pass --neuroglancer DIR");
        }
        return dir;
    }

    /** $BIGARRAYS_NEUROGLANCER, else build/neuroglancer in the checkout this CLI was built in. */
    static Path defaultViewerDir() {
        String env = System.getenv("BIGARRAYS_NEUROGLANCER");
        if (env != null && !env.isBlank()) return Path.of(env);
        try {
            // java/cli/target/bigarrays-cli.jar or java/cli/target/classes: the checkout is four levels up.
            Path here = Path.of(ViewCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = here;
            for (int i = 0; i < 4 && root != null; i++) root = root.getParent();
            if (root != null) return root.resolve("build").resolve("neuroglancer");
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            // fall through: no code source location
        }
        return Path.of("build", "neuroglancer");
    }

    private static void open(URI url) {
        try {
            new ProcessBuilder("xdg-open", url.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            System.err.println("bigarrays: could not open a browser (" + e.getMessage() + "): open the URL above yourself");
        }
    }
}
