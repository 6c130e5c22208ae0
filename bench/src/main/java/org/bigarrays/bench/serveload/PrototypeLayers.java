package org.bigarrays.bench.serveload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.Options;
import org.bigarrays.core.Box;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.Keys;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.server.BatchCutouts;
import org.bigarrays.server.BatchRequest;

/**
 * What the three server prototypes ({@link JdkServerPrototype}, {@link JettyPrototype},
 * {@link HelidonPrototype}) share, so that only the HTTP server differs between them: the layers
 * (opened in one context whose decoded-chunk cache serves every cutout), the routes, and the
 * handler logic. {@code GET /<layer>/cutout?box=x0,y0,z0:x1,y1,z1[&mip=N]} streams raw voxels
 * (Fortran order) in x-y slabs of at most {@link #CUTOUT_MEMORY} bytes ({@link
 * BigArray#read(Box, WritableByteChannel, boolean, long)}), with Content-Length; {@code GET
 * /<layer>/<key>} sends the stored value; {@code POST /<layer>/cutouts} answers a batch as a
 * streamed .npz through java/server's server-independent {@link BatchCutouts} (what the product
 * calls too); {@code GET /} answers 200 (readiness). No admission limit: measurement tools, not
 * the product (java/server is).
 *
 * <p>Arguments of every prototype's main: {@code --port P [--cache BYTES] NAME=URL...}.
 */
final class PrototypeLayers implements AutoCloseable {
    /** The slab buffer of one streamed cutout. */
    static final long CUTOUT_MEMORY = 8L << 20;

    record Layer(String name, BigArray array, KeyValueStore store) {}

    /** A request the handler understood. */
    sealed interface Route permits Cutout, StoredKey, Index {}

    /** A cutout of {@code box} at {@code array}'s scale; {@code bytes} is the body's length. */
    record Cutout(BigArray array, Box box, long bytes) implements Route {}

    /** A stored value of {@code layer}. */
    record StoredKey(Layer layer, String key) implements Route {}

    /** {@code GET /}. */
    record Index() implements Route {}

    /** An answer other than 200, with its status. */
    static final class Problem extends RuntimeException {
        final int status;

        Problem(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    final int port;
    private final BigArraysContext context;
    private final Map<String, Layer> layers;

    private PrototypeLayers(int port, BigArraysContext context, Map<String, Layer> layers) {
        this.port = port;
        this.context = context;
        this.layers = layers;
    }

    /** Parses {@code --port P [--cache BYTES] NAME=URL...} and opens the layers. */
    static PrototypeLayers open(String[] args) {
        int port = -1;
        long cache = 512L << 20;
        Map<String, String> specs = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--cache" -> cache = Long.parseLong(args[++i]);
                default -> {
                    int eq = args[i].indexOf('=');
                    if (eq <= 0) throw new IllegalArgumentException("argument '" + args[i] + "': expected --port P, --cache BYTES or NAME=URL");
                    specs.put(args[i].substring(0, eq), args[i].substring(eq + 1));
                }
            }
        }
        if (port < 0 || specs.isEmpty()) throw new IllegalArgumentException("usage: --port P [--cache BYTES] NAME=URL...");
        BigArraysContext ctx = BigArraysContext.create(cache);
        Map<String, Layer> open = new LinkedHashMap<>();
        specs.forEach((name, url) -> open.put(name, new Layer(name, BigArray.open(url, Options.defaults(), ctx), ctx.store(KeyValueStores.toUri(url)))));
        return new PrototypeLayers(port, ctx, Map.copyOf(open));
    }

    /** The route of a GET of {@code path} (decoded) with {@code rawQuery} (may be null). */
    Route route(String path, String rawQuery) {
        if (path.equals("/")) return new Index();
        String rest = path.substring(1);
        int slash = rest.indexOf('/');
        Layer layer = layers.get(slash < 0 ? rest : rest.substring(0, slash));
        if (layer == null) throw new Problem(404, "no layer in '" + path + "'");
        String key = slash < 0 ? "" : rest.substring(slash + 1);
        if (key.equals("cutout")) return cutout(layer, rawQuery);
        String problem = key.isEmpty() ? "empty key" : Keys.problem(key);
        if (problem != null) throw new Problem(400, "key '" + Keys.printable(key) + "': " + problem);
        return new StoredKey(layer, key);
    }

    private static Cutout cutout(Layer layer, String rawQuery) {
        String box = null;
        int mip = 0;
        for (String kv : rawQuery == null ? new String[0] : rawQuery.split("&")) {
            int eq = kv.indexOf('=');
            if (eq < 0) continue;
            String v = URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            switch (kv.substring(0, eq)) {
                case "box" -> box = v;
                case "mip" -> mip = Integer.parseInt(v);
                default -> { } // format: always raw here
            }
        }
        if (box == null) throw new Problem(400, "missing box=x0,y0,z0:x1,y1,z1");
        Box b;
        try {
            b = Box.parse(box);
        } catch (RuntimeException e) {
            throw new Problem(400, "box '" + box + "': " + e.getMessage());
        }
        BigArray a = layer.array().mip(mip);
        return new Cutout(a, b, b.volume() * a.channels() * a.dataType().size());
    }

    /** A parsed batch request of {@code array}'s layer; {@code bytes} is the .npz's length. */
    record Batch(BigArray array, BatchRequest request, long bytes) {}

    /** The batch of a POST of {@code path} ({@code /<layer>/cutouts}) with {@code body}. */
    Batch batch(String path, InputStream body) throws IOException {
        String rest = path.substring(1);
        int slash = rest.indexOf('/');
        Layer layer = slash < 0 ? null : layers.get(rest.substring(0, slash));
        if (layer == null || !rest.substring(slash + 1).equals("cutouts")) throw new Problem(405, "POST only to /<layer>/cutouts");
        BatchRequest req;
        try {
            req = BatchRequest.read(body, layer.array().info(), BatchRequest.DEFAULT_MAX_BOXES, 1L << 30);
        } catch (org.bigarrays.InvalidInputException e) {
            throw new Problem(400, e.getMessage());
        }
        return new Batch(layer.array(), req, BatchCutouts.size(layer.array(), req));
    }

    /** Streams the batch's .npz to {@code out} (not closed). */
    static void writeBatch(Batch b, OutputStream out) throws IOException {
        BatchCutouts.write(b.array(), b.request(), out);
    }

    /** Streams the cutout's voxels to {@code out} in slabs. */
    static void writeCutout(Cutout c, WritableByteChannel out) {
        c.array().read(c.box(), out, false, CUTOUT_MEMORY);
    }

    /** The stored value (the caller closes it), or a 404 {@link Problem}. */
    static ReadResult read(StoredKey k) {
        ReadResult r = k.layer().store().read(k.key());
        if (!r.found()) {
            r.close();
            throw new Problem(404, "no key '" + Keys.printable(k.key()) + "'");
        }
        return r;
    }

    /**
     * A channel onto a blocking {@link OutputStream}, copying through one 256 KiB array (what
     * {@code Channels.newChannel} does in 8 KiB steps), for the servers whose body is a stream.
     */
    static WritableByteChannel channel(OutputStream out) {
        return new WritableByteChannel() {
            private final byte[] buf = new byte[256 << 10];

            @Override
            public int write(ByteBuffer src) throws IOException {
                int n = src.remaining();
                while (src.hasRemaining()) {
                    int k = Math.min(buf.length, src.remaining());
                    src.get(buf, 0, k);
                    out.write(buf, 0, k);
                }
                return n;
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public void close() {
        layers.values().forEach(l -> l.array().close());
        context.close();
    }
}
