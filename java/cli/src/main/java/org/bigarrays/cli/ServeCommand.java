package org.bigarrays.cli;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.bigarrays.InvalidInputException;
import org.bigarrays.server.LayerServer;
import org.bigarrays.server.LayerSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bigarrays serve [NAME=]URL...}: serve layers over HTTP until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Serve layers from any store (file, s3, gs, http) over HTTP in the precomputed format, for Neuroglancer,",
                "CloudVolume and TensorStore, and cutouts from a shared cache of decoded chunks:",
                "  GET /NAME/info, /NAME/<chunk key> (Range: 206; gzip chunks with Content-Encoding: gzip)",
                "  GET /NAME/cutout?box=x0,y0,z0:x1,y1,z1&mip=N&format=npy|raw",
                "Runs until interrupted (Ctrl-C)."})
final class ServeCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "[NAME=]URL",
            description = "layers; without NAME= a layer is named by the last element of its URL (s3://b/em -> em)")
    List<String> layers;

    @Option(names = "--port", defaultValue = "8080", description = "port (0: any free one; default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1",
            description = "address to listen on (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 exposes the layers to the network)")
    String bind;

    @Option(names = "--cache", defaultValue = "512M", paramLabel = "SIZE", description = "decoded-chunk cache for cutouts (default ${DEFAULT-VALUE}; 0: none)")
    String cache;

    @Option(names = "--max-cutouts", paramLabel = "N", description = "cutouts answered at once; more get 503 (default: 2 x cores, at least 4)")
    Integer maxCutouts;

    @Option(names = "--max-cutout-size", defaultValue = "1G", paramLabel = "SIZE", description = "largest cutout answered; larger get 413 (default ${DEFAULT-VALUE})")
    String maxCutoutSize;

    @Override
    public Integer call() throws InterruptedException {
        LayerServer.Builder b = builder();
        try (LayerServer s = b.start()) {
            printUrls(s);
            CountDownLatch forever = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
            forever.await();
        }
        return Main.OK;
    }

    /** The server these options describe; {@code bigarrays view} builds on it. */
    LayerServer.Builder builder() {
        long cacheBytes = ByteSize.parse(cache, "--cache");
        checkDirectMemory(cacheBytes);
        LayerServer.Builder b = LayerServer.builder().bind(bind).port(port).cacheBytes(cacheBytes)
                .maxCutoutBytes(ByteSize.parse(maxCutoutSize, "--max-cutout-size"));
        if (maxCutouts != null) b.maxConcurrentCutouts(maxCutouts);
        for (String l : layers) b.layer(LayerSpec.parse(l));
        return b;
    }

    /** Headroom for chunks in flight and cutout buffers on top of the cache. */
    private static final long DIRECT_HEADROOM = 256L << 20;

    /**
     * Cached chunks live off-heap, which the JVM caps at -XX:MaxDirectMemorySize (by default the
     * heap's maximum, -Xmx): refuse a cache that cannot fit, instead of failing requests later.
     */
    static void checkDirectMemory(long cacheBytes) {
        long limit = Runtime.getRuntime().maxMemory();
        try {
            var diag = java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            long set = Long.parseLong(diag.getVMOption("MaxDirectMemorySize").getValue());
            if (set > 0) limit = set;
        } catch (RuntimeException | LinkageError unknown) {
            return; // not HotSpot: let the allocations decide
        }
        if (cacheBytes + DIRECT_HEADROOM > limit) {
            throw new InvalidInputException("--cache " + CutoutSize.human(cacheBytes) + " plus " + CutoutSize.human(DIRECT_HEADROOM)
                    + " for chunks in flight needs more off-heap memory than this JVM allows (" + CutoutSize.human(limit)
                    + "); lower --cache or raise -XX:MaxDirectMemorySize (BIGARRAYS_JAVA_OPTS)");
        }
    }

    static void printUrls(LayerServer s) {
        System.out.println("serving at " + s.baseUrl() + " (Ctrl-C to stop)");
        for (String name : s.layers().keySet()) System.out.println("  " + name + ": precomputed://" + s.layerUrl(name));
        System.out.flush();
    }
}
