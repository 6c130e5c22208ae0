package org.bigarrays.cli;

import java.util.List;
import org.bigarrays.server.LayerServer;
import org.bigarrays.server.LayerSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The layers and listening options shared by {@code serve} and {@code view}. */
final class ServerOptions {
    @Parameters(arity = "1..*", paramLabel = "[NAME=]URL",
            description = "layers; without NAME= a layer is named by the last element of its URL (s3://b/em -> em)")
    List<String> layers;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT", description = "port (0: any free one; default ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "address to listen on (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 exposes the layers to the network)")
    String bind;

    @Option(names = "--cache", defaultValue = "512M", paramLabel = "SIZE", description = "decoded-chunk cache for cutouts (default ${DEFAULT-VALUE}; 0: none)")
    String cache;

    /** A server of these layers on this address with this cache (checked against the JVM's off-heap limit). */
    LayerServer.Builder builder() {
        long cacheBytes = ByteSize.parse(cache, "--cache");
        ServeCommand.checkDirectMemory(cacheBytes);
        LayerServer.Builder b = LayerServer.builder().bind(bind).port(port).cacheBytes(cacheBytes);
        for (String l : layers) b.layer(LayerSpec.parse(l));
        return b;
    }
}
