package org.bigarrays.cli;

import java.util.concurrent.Callable;
import org.bigarrays.InvalidInputException;
import org.bigarrays.server.LayerServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code bigarrays serve [NAME=]URL...}: serve layers over HTTP until interrupted. */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Serve layers from any store (file, s3, gs, http) over HTTP in the precomputed",
                "format (for Neuroglancer, CloudVolume and TensorStore), and cutouts from a",
                "shared cache of decoded chunks:",
                "  GET /NAME/info, /NAME/<chunk key>  (Range: 206; gzip chunks are sent",
                "                                      with Content-Encoding: gzip)",
                "  GET /NAME/cutout?box=x0,y0,z0:x1,y1,z1&mip=N&format=npy|raw",
                "  GET /healthz, /metrics (Prometheus text format), / (layer names)",
                "Cutouts stream tile by tile; memory stays within the cache plus 512 MiB",
                "with the default limits. On SIGTERM it stops accepting, lets responses",
                "finish for --shutdown-grace and exits 0.",
                "Runs until interrupted (Ctrl-C)."})
final class ServeCommand implements Callable<Integer> {
    @Mixin
    ServerOptions server;

    @Override
    public Integer call() throws InterruptedException {
        LayerServer.Builder b = server.builder();
        Shutdown shutdown = new Shutdown();
        int code;
        try (LayerServer s = b.start()) {
            printUrls(s);
            code = shutdown.await();
            System.err.println("bigarrays: stopping: letting responses in flight finish");
        }
        return code;
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
        for (String name : s.layers().keySet()) System.out.println("  " + name + ": " + s.neuroglancerSource(name));
        System.out.flush();
    }
}
