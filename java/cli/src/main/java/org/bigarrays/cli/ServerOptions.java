package org.bigarrays.cli;

import java.util.List;
import org.bigarrays.server.LayerServer;
import org.bigarrays.server.LayerSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The layers, listening options and limits shared by {@code serve} and {@code view}. */
final class ServerOptions {
    @Parameters(arity = "1..*", paramLabel = "[NAME=]URL",
            description = "layers; without NAME= a layer is named by the last element of its URL (s3://b/em -> em)")
    List<String> layers;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "port (0: any free one; default ${DEFAULT-VALUE})")
    int port = 8080;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "address to listen on (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 exposes the layers to the network)")
    String bind = "127.0.0.1";

    @Option(names = "--cache", defaultValue = "512M", paramLabel = "SIZE", description = "decoded-chunk cache for cutouts (default ${DEFAULT-VALUE}; 0: none)")
    String cache = "512M";

    @Option(names = "--max-cutouts", defaultValue = "4", paramLabel = "N", description = "cutouts answered at once (default ${DEFAULT-VALUE})")
    int maxCutouts = 4;

    @Option(names = "--cutout-queue", defaultValue = "16", paramLabel = "N",
            description = "cutouts that may wait for a slot, first come first served; more get 503 with Retry-After (default ${DEFAULT-VALUE})")
    int cutoutQueue = 16;

    @Option(names = "--queue-wait", defaultValue = "10s", paramLabel = "TIME",
            description = "longest wait for a cutout slot or for key read memory before 503 (default ${DEFAULT-VALUE})")
    String queueWait = "10s";

    @Option(names = "--max-cutout-size", defaultValue = "1G", paramLabel = "SIZE", description = "largest cutout answered; larger get 413 (default ${DEFAULT-VALUE})")
    String maxCutoutSize = "1G";

    @Option(names = "--cutout-tile", defaultValue = "8M", paramLabel = "SIZE",
            description = "voxels a cutout reads before sending them, its buffer (default ${DEFAULT-VALUE})")
    String cutoutTile = "8M";

    @Option(names = "--key-read-memory", defaultValue = "64M", paramLabel = "SIZE",
            description = "memory all plain key reads (info, chunks, shards) may hold at once (default ${DEFAULT-VALUE})")
    String keyReadMemory = "64M";

    @Option(names = "--idle-timeout", defaultValue = "30s", paramLabel = "TIME",
            description = "close connections with no bytes moving for this long: idle keep-alive, stalled request headers (default ${DEFAULT-VALUE})")
    String idleTimeout = "30s";

    @Option(names = "--write-timeout", defaultValue = "30s", paramLabel = "TIME",
            description = "fail a response its client has not read for this long, freeing its cutout slot (default ${DEFAULT-VALUE})")
    String writeTimeout = "30s";

    @Option(names = "--max-header-size", defaultValue = "16K", paramLabel = "SIZE",
            description = "largest request line plus headers; longer get 414 or 431 (default ${DEFAULT-VALUE})")
    String maxHeaderSize = "16K";

    @Option(names = "--shutdown-grace", defaultValue = "10s", paramLabel = "TIME",
            description = "on SIGTERM or Ctrl-C, let responses in flight finish this long, then cut them (default ${DEFAULT-VALUE})")
    String shutdownGrace = "10s";

    /** A server of these layers on this address with this cache and these limits (checked against the JVM's off-heap limit). */
    LayerServer.Builder builder() {
        long cacheBytes = ByteSize.parse(cache, "--cache");
        ServeCommand.checkDirectMemory(cacheBytes);
        long header = ByteSize.parse(maxHeaderSize, "--max-header-size");
        if (header > Integer.MAX_VALUE) throw new org.bigarrays.InvalidInputException("--max-header-size " + maxHeaderSize + ": expected at most 2G");
        LayerServer.Builder b = LayerServer.builder().bind(bind).port(port).cacheBytes(cacheBytes)
                .maxConcurrentCutouts(maxCutouts).maxQueuedCutouts(cutoutQueue).queueWait(DurationOption.parse(queueWait, "--queue-wait"))
                .maxCutoutBytes(ByteSize.parse(maxCutoutSize, "--max-cutout-size")).cutoutTileBytes(ByteSize.parse(cutoutTile, "--cutout-tile"))
                .keyReadBytes(ByteSize.parse(keyReadMemory, "--key-read-memory"))
                .idleTimeout(DurationOption.parse(idleTimeout, "--idle-timeout")).writeTimeout(DurationOption.parse(writeTimeout, "--write-timeout"))
                .maxHeaderBytes((int) header).shutdownGrace(DurationOption.parse(shutdownGrace, "--shutdown-grace"));
        for (String l : layers) b.layer(LayerSpec.parse(l));
        return b;
    }
}
