package org.bigarrays.server;

import java.io.IOException;

/**
 * A server in a JVM of its own, for tests that measure the process: serves the layer at
 * {@code args[0]} with a cache of {@code args[1]} bytes and otherwise the defaults, prints
 * "port N", and stops when its standard input closes.
 */
public final class ServeMain {
    private ServeMain() {}

    public static void main(String[] args) throws IOException {
        try (LayerServer s = LayerServer.builder().layer(LayerSpec.parse(args[0])).cacheBytes(Long.parseLong(args[1])).start()) {
            System.out.println("port " + s.port());
            System.out.flush();
            while (System.in.read() >= 0) {
                // until the test closes our stdin
            }
        }
    }
}
