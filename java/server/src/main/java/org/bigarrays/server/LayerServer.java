package org.bigarrays.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.BigArraysException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.Options;
import org.bigarrays.chunk.ChunkCache;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.Keys;
import org.bigarrays.kvstore.ReadOptions;
import org.bigarrays.kvstore.ReadResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves precomputed layers from any store (file, s3, gs, http, mem) over HTTP, so that
 * Neuroglancer, CloudVolume and TensorStore can read a private bucket through it, and answers
 * cutouts from one decoded-chunk cache shared by all requests.
 *
 * <p>Routes (GET and HEAD; OPTIONS answers CORS preflights):
 * <ul>
 * <li>{@code /<layer>/<key>}: the stored value ({@code info}, chunk keys, shard files), with
 *     {@code Range: bytes=a-b} answered 206. A gzip chunk is sent under its plain key with
 *     {@code Content-Encoding: gzip}, also when it is stored as {@code <key>.gz} (found as the
 *     chunk layer finds it, {@link org.bigarrays.precomputed.ChunkNames}); a zstd or lz4 chunk
 *     (also {@code <key>.zstd}) (which Neuroglancer cannot read) is sent decompressed.
 * <li>{@code /<layer>/cutout?box=x0,y0,z0:x1,y1,z1&mip=N&format=npy|raw}: the voxels, read
 *     through the cache (Fortran order [x,y,z,c], little-endian; npy with its header).
 * <li>{@code /}: the layers as JSON; {@code /_stats}: cache and request counters.
 * <li>static directories mounted with {@link Builder#staticFiles} (e.g. a Neuroglancer build).
 * </ul>
 * Errors are JSON {@code {"error": "...", "status": N}}: 400 bad request, 404 no such layer or
 * key, 413 cutout over the size limit, 502 the store failed (or holds a corrupt chunk), 503 more
 * cutouts in flight than the limit; never a stack trace (those go to the log).
 *
 * <pre>{@code
 * try (LayerServer s = LayerServer.builder().layer(LayerSpec.parse("em=s3://bucket/em")).cacheBytes(1L << 30).start()) {
 *     URI em = s.layerUrl("em"); // http://127.0.0.1:<port>/em/
 * }
 * }</pre>
 */
public final class LayerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LayerServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bytes per write of a response body. */
    private static final int BLOCK = 1 << 20;

    private final HttpServer http;
    private final ExecutorService threads;
    private final BigArraysContext context;
    private final boolean ownsContext;
    private final Map<String, ServedLayer> layers;
    private final Map<String, Path> statics;
    private final Semaphore cutoutPermits;
    private final int maxCutouts;
    private final long maxCutoutBytes;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong cutouts = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    /** How to build a server; {@link #start()} opens every layer (failing on a missing info) and binds. */
    public static final class Builder {
        private final List<LayerSpec> layers = new ArrayList<>();
        private final Map<String, Path> statics = new LinkedHashMap<>();
        private String bind = "127.0.0.1";
        private int port = 0;
        private long cacheBytes = 512L << 20;
        private int maxConcurrentCutouts = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
        private long maxCutoutBytes = 1L << 30;
        private BigArraysContext context;

        private Builder() {}

        public Builder layer(LayerSpec spec) {
            for (LayerSpec l : layers) {
                if (l.name().equals(spec.name())) throw new InvalidInputException("two layers named '" + spec.name() + "': " + l.url() + " and " + spec.url() + "; name them NAME=URL");
            }
            layers.add(spec);
            return this;
        }

        /** The address to listen on: 127.0.0.1 unless exposing the server on purpose. */
        public Builder bind(String address) {
            this.bind = address;
            return this;
        }

        /** The port (0: any free one; see {@link LayerServer#port()}). */
        public Builder port(int p) {
            if (p < 0 || p > 65535) throw new InvalidInputException("port " + p + ": expected 0..65535");
            this.port = p;
            return this;
        }

        /** Bytes of decoded chunks kept for cutouts (shared by all requests); 0 for none. */
        public Builder cacheBytes(long bytes) {
            if (bytes < 0) throw new InvalidInputException("cache size " + bytes + ": expected ≥ 0 bytes");
            this.cacheBytes = bytes;
            return this;
        }

        /** Cutouts answered at once; more get 503 at once (clients retry). */
        public Builder maxConcurrentCutouts(int n) {
            if (n < 1) throw new InvalidInputException("max concurrent cutouts " + n + ": expected ≥ 1");
            this.maxConcurrentCutouts = n;
            return this;
        }

        /** The largest cutout answered (bytes of voxels); larger ones get 413. */
        public Builder maxCutoutBytes(long bytes) {
            if (bytes < 1) throw new InvalidInputException("max cutout size " + bytes + ": expected ≥ 1 byte");
            this.maxCutoutBytes = bytes;
            return this;
        }

        /**
         * Serve the files under {@code dir} at {@code /<prefix>/...} ({@code index.html} for the
         * directory itself): e.g. a Neuroglancer build for {@code bigarrays view}. The prefix must
         * not be a layer's name.
         */
        public Builder staticFiles(String prefix, Path dir) {
            if (!Files.isDirectory(dir)) throw new InvalidInputException("static files: " + dir + " is not a directory");
            new LayerSpec(prefix, "x"); // same rules as a layer name
            statics.put(prefix, dir.toAbsolutePath().normalize());
            return this;
        }

        /** Open layers in {@code ctx} (its cache, if any, is the one cutouts use); the caller closes it. */
        public Builder context(BigArraysContext ctx) {
            this.context = ctx;
            return this;
        }

        public LayerServer start() {
            for (LayerSpec l : layers) {
                if (statics.containsKey(l.name())) throw new InvalidInputException("layer name '" + l.name() + "' is also a static files prefix");
            }
            return new LayerServer(this);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    private LayerServer(Builder b) {
        this.ownsContext = b.context == null;
        this.context = ownsContext ? BigArraysContext.create(b.cacheBytes) : b.context;
        this.maxCutouts = b.maxConcurrentCutouts;
        this.cutoutPermits = new Semaphore(b.maxConcurrentCutouts);
        this.maxCutoutBytes = b.maxCutoutBytes;
        this.statics = Map.copyOf(b.statics);
        Map<String, ServedLayer> open = new LinkedHashMap<>();
        try {
            for (LayerSpec l : b.layers) {
                BigArray a = BigArray.open(l.url(), Options.defaults(), context);
                open.put(l.name(), new ServedLayer(l, a, context.store(KeyValueStores.toUri(l.url()))));
            }
            this.layers = java.util.Collections.unmodifiableMap(open);
            this.threads = Executors.newVirtualThreadPerTaskExecutor();
            this.http = HttpServer.create(new InetSocketAddress(b.bind, b.port), 256);
        } catch (IOException e) {
            if (ownsContext) context.close();
            throw new InvalidInputException("cannot listen on " + b.bind + ":" + b.port + ": " + e.getMessage());
        } catch (RuntimeException e) {
            if (ownsContext) context.close();
            throw e;
        }
        http.setExecutor(threads);
        http.createContext("/", this::handle);
        http.start();
        LOG.info("serving {} layer(s) at {}", layers.size(), baseUrl());
    }

    /** The port the server listens on. */
    public int port() {
        return http.getAddress().getPort();
    }

    /** {@code http://<bind>:<port>/}. */
    public URI baseUrl() {
        InetSocketAddress a = http.getAddress();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + a.getPort() + "/");
    }

    /** Where the layer named {@code name} is served ({@code precomputed://} + this for Neuroglancer). */
    public URI layerUrl(String name) {
        if (!layers.containsKey(name)) throw new InvalidInputException("no layer named '" + name + "'");
        return baseUrl().resolve(name + "/");
    }

    /** The served layers by name, in the order given. */
    public Map<String, BigArray> layers() {
        Map<String, BigArray> m = new LinkedHashMap<>();
        layers.forEach((k, v) -> m.put(k, v.array));
        return m;
    }

    /** The context layers are read in (its chunk cache serves the cutouts). */
    public BigArraysContext context() {
        return context;
    }

    @Override
    public void close() {
        http.stop(0);
        threads.shutdownNow();
        if (ownsContext) context.close();
    }

    // ---- requests ----

    private void handle(HttpExchange ex) {
        requests.incrementAndGet();
        // Not try-with-resources: that would close the exchange before a catch could answer.
        try {
            cors(ex);
            String method = ex.getRequestMethod();
            if (method.equals("OPTIONS")) {
                ex.getResponseHeaders().set("Access-Control-Max-Age", "86400");
                ex.sendResponseHeaders(204, -1);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) throw new HttpError(405, "method " + method + " not allowed: GET, HEAD or OPTIONS");
            route(ex, method.equals("HEAD"));
        } catch (HttpError e) {
            sendError(ex, e.status, e.getMessage());
        } catch (InvalidInputException e) {
            sendError(ex, 400, e.getMessage());
        } catch (BigArraysException e) {
            // Storage failures, corrupt chunks, malformed metadata in the store: the upstream's fault.
            LOG.warn("{} {}: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
            sendError(ex, 502, e.getMessage());
        } catch (IOException e) {
            LOG.debug("{} {}: client went away: {}", ex.getRequestMethod(), ex.getRequestURI(), e.toString());
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.error("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            sendError(ex, 500, "internal error: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        } finally {
            ex.close();
        }
    }

    private static void cors(HttpExchange ex) {
        var h = ex.getResponseHeaders();
        h.set("Access-Control-Allow-Origin", "*");
        h.set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
        h.set("Access-Control-Allow-Headers", "Range, Content-Type, Accept-Encoding");
        h.set("Access-Control-Expose-Headers", "Content-Range, Content-Length, Content-Encoding, Accept-Ranges, ETag");
    }

    private void route(HttpExchange ex, boolean head) throws IOException {
        String path = ex.getRequestURI().getPath();
        if (path.equals("/")) {
            sendJson(ex, 200, index(), head);
            return;
        }
        if (path.equals("/_stats")) {
            sendJson(ex, 200, stats(), head);
            return;
        }
        String rest = path.substring(1);
        int slash = rest.indexOf('/');
        String name = slash < 0 ? rest : rest.substring(0, slash);
        String key = slash < 0 ? "" : rest.substring(slash + 1);
        Path dir = statics.get(name);
        if (dir != null) {
            serveStatic(ex, dir, key, head);
            return;
        }
        ServedLayer layer = layers.get(name);
        if (layer == null) throw new HttpError(404, "no layer named '" + name + "'; layers: " + String.join(", ", layers.keySet()));
        if (key.equals("cutout")) {
            cutout(ex, layer, head);
            return;
        }
        if (key.isEmpty()) throw new HttpError(404, "layer '" + name + "': give a key (info, a chunk key) or cutout?box=...");
        String problem = Keys.problem(key);
        if (problem != null) throw new HttpError(400, "key '" + Keys.printable(key) + "': " + problem);
        serveKey(ex, layer, key, head);
    }

    private void serveKey(HttpExchange ex, ServedLayer layer, String key, boolean head) throws IOException {
        String rangeHeader = ex.getRequestHeaders().getFirst("Range");
        ByteRange range = RangeHeader.parse(rangeHeader);
        String encoding = null;
        // A whole value is looked up under every name a chunk may have (<key>.gz, <key>.zstd on local
        // disk; CloudVolume's <key>.gz elsewhere); ranges are for shard files, which have one name.
        try (ReadResult r = range.isAll() ? layer.names.read(key, ReadOptions.ALL) : layer.store.read(key, range)) {
            if (!r.found()) throw new HttpError(404, "layer '" + layer.spec.name() + "': no key '" + Keys.printable(key) + "'");
            MemorySegment bytes = r.bytes();
            if (range.isAll()) {
                bytes = layer.readable(key, bytes);
                encoding = layer.contentEncoding(key, bytes);
            }
            var h = ex.getResponseHeaders();
            h.set("Content-Type", key.equals("info") || key.endsWith("/info") ? "application/json" : "application/octet-stream");
            h.set("Accept-Ranges", "bytes");
            if (encoding != null) h.set("Content-Encoding", encoding);
            int status = 200;
            if (!range.isAll()) {
                if (bytes.byteSize() == 0 && range.end() > range.start()) {
                    h.set("Content-Range", "bytes */*");
                    throw new HttpError(416, "range " + rangeHeader + " starts beyond the end of '" + Keys.printable(key) + "'");
                }
                status = 206;
                h.set("Content-Range", "bytes " + range.start() + "-" + (range.start() + bytes.byteSize() - 1) + "/*");
            }
            send(ex, status, bytes, head);
        }
    }

    private void cutout(HttpExchange ex, ServedLayer layer, boolean head) throws IOException {
        CutoutRequest req = CutoutRequest.parse(ex.getRequestURI().getRawQuery(), layer.info());
        long bytes = req.bytes(layer.info());
        if (bytes > maxCutoutBytes) {
            throw new HttpError(413, "box " + req.box() + " is " + bytes + " bytes; this server answers cutouts up to " + maxCutoutBytes + " bytes: ask for smaller boxes");
        }
        if (!cutoutPermits.tryAcquire()) {
            rejected.incrementAndGet();
            ex.getResponseHeaders().set("Retry-After", "1");
            throw new HttpError(503, "busy: " + maxCutouts + " cutouts in flight; retry");
        }
        try {
            cutouts.incrementAndGet();
            BigArray a = layer.array.mip(req.mip());
            var v = a.read(req.box());
            byte[] header = req.npy() ? org.bigarrays.array.NpyHeader.of(a.dataType(), v.shape()) : new byte[0];
            var h = ex.getResponseHeaders();
            h.set("Content-Type", req.npy() ? "application/x-npy" : "application/octet-stream");
            h.set("X-BigArrays-Shape", v.shape()[0] + "," + v.shape()[1] + "," + v.shape()[2] + "," + v.shape()[3]);
            h.set("X-BigArrays-Data-Type", a.dataType().toString());
            long total = header.length + v.byteSize();
            if (head) {
                ex.sendResponseHeaders(200, -1);
                return;
            }
            ex.sendResponseHeaders(200, total == 0 ? -1 : total);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(header);
                writeSegment(out, v.segment().asSlice(v.byteOffset(), v.byteSize()));
            }
        } finally {
            cutoutPermits.release();
        }
    }

    private static void serveStatic(HttpExchange ex, Path dir, String rel, boolean head) throws IOException {
        Path p = dir.resolve(rel.isEmpty() ? "index.html" : rel).normalize();
        if (!p.startsWith(dir)) throw new HttpError(400, "path '" + rel + "' leaves the static directory");
        if (Files.isDirectory(p)) p = p.resolve("index.html");
        if (!Files.isRegularFile(p)) throw new HttpError(404, "no file '" + rel + "'");
        String type = Files.probeContentType(p);
        String n = p.getFileName().toString();
        if (n.endsWith(".js")) type = "text/javascript";
        else if (n.endsWith(".wasm")) type = "application/wasm";
        else if (n.endsWith(".css")) type = "text/css";
        else if (n.endsWith(".html")) type = "text/html; charset=utf-8";
        ex.getResponseHeaders().set("Content-Type", type == null ? "application/octet-stream" : type);
        long size = Files.size(p);
        if (head) {
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, size == 0 ? -1 : size);
        try (OutputStream out = ex.getResponseBody()) {
            Files.copy(p, out);
        }
    }

    // ---- responses ----

    private static void send(HttpExchange ex, int status, MemorySegment bytes, boolean head) throws IOException {
        if (head) {
            ex.getResponseHeaders().set("Content-Length", Long.toString(bytes.byteSize()));
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, bytes.byteSize() == 0 ? -1 : bytes.byteSize());
        try (OutputStream out = ex.getResponseBody()) {
            writeSegment(out, bytes);
        }
    }

    private static void writeSegment(OutputStream out, MemorySegment s) throws IOException {
        if (s.heapBase().orElse(null) instanceof byte[] a && s.byteSize() == a.length) {
            out.write(a);
            return;
        }
        byte[] buf = new byte[(int) Math.min(BLOCK, s.byteSize())];
        for (long off = 0; off < s.byteSize(); off += buf.length) {
            int n = (int) Math.min(buf.length, s.byteSize() - off);
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off, buf, 0, n);
            out.write(buf, 0, n);
        }
    }

    private void sendJson(HttpExchange ex, int status, Object body, boolean head) throws IOException {
        byte[] b = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        send(ex, status, MemorySegment.ofArray(b), head);
    }

    private void sendError(HttpExchange ex, int status, String message) {
        errors.incrementAndGet();
        String m = message == null ? "" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
        try {
            ex.getResponseHeaders().remove("Content-Encoding");
            ex.getResponseHeaders().remove("Content-Range");
            ObjectNode n = JSON.createObjectNode();
            n.put("error", m);
            n.put("status", status);
            byte[] b = JSON.writeValueAsBytes(n);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        } catch (IOException | RuntimeException e) {
            // Headers already sent (the failure came mid-body) or the client left: nothing to tell.
            LOG.debug("could not send error {} for {}: {}", status, ex.getRequestURI(), e.toString());
        }
    }

    private Map<String, Object> index() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> ls = new LinkedHashMap<>();
        layers.forEach((name, l) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("url", l.spec.url());
            e.put("source", "precomputed://" + baseUrl().resolve(name));
            e.put("data_type", l.info().dataType().toString());
            e.put("num_channels", l.info().numChannels());
            e.put("scales", l.info().scales().size());
            ls.put(name, e);
        });
        m.put("layers", ls);
        return m;
    }

    private Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requests", requests.get());
        m.put("cutouts", cutouts.get());
        m.put("rejected_busy", rejected.get());
        m.put("errors", errors.get());
        ChunkCache c = context.chunkCache();
        if (c != null) m.put("chunk_cache", c.stats());
        Runtime rt = Runtime.getRuntime();
        m.put("heap_used_bytes", rt.totalMemory() - rt.freeMemory());
        return m;
    }
}
