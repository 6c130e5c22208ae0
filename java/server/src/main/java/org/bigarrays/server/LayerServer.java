package org.bigarrays.server;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.BigArraysContext;
import org.bigarrays.array.Options;
import org.bigarrays.chunk.ChunkCache;
import org.bigarrays.core.BufferPool;
import org.bigarrays.kvstore.KeyValueStores;
import org.eclipse.jetty.io.ArrayByteBufferPool;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.VirtualThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves precomputed layers from any store (file, s3, gs, http, mem) over HTTP, so that
 * Neuroglancer, CloudVolume and TensorStore can read a private bucket through it, and answers
 * cutouts from one decoded-chunk cache shared by all requests. Jetty (core handlers, one virtual
 * thread per request).
 *
 * <p>Routes (GET and HEAD; OPTIONS answers CORS preflights):
 * <ul>
 * <li>{@code /<layer>/<key>}: the stored value ({@code info}, chunk keys, shard files), streamed
 *     from the store in bounded blocks whatever its size, with {@code Range: bytes=a-b} and
 *     {@code bytes=a-} answered 206 ({@code Content-Range} with the value's size). A gzip chunk
 *     is sent under its plain key with {@code Content-Encoding: gzip}, also when it is stored as
 *     {@code <key>.gz}; a zstd or lz4 chunk (also {@code <key>.zstd}), which Neuroglancer cannot
 *     read, is sent decompressed.
 *     On local disk nothing outside the layer's real root is served (symbolic links included).
 * <li>{@code /<layer>/cutout?box=x0,y0,z0:x1,y1,z1&mip=N&format=npy|raw}: the voxels, read
 *     through the cache and streamed tile by tile (Fortran order [x,y,z,c], little-endian; npy
 *     with its header). HEAD answers the headers without reading a chunk.
 * <li>{@code /}: the layer names (and what a viewer needs: source URL, type, channels, scales);
 *     {@code /healthz}; {@code /metrics} (Prometheus text format, see {@link ServerMetrics});
 *     {@code /_stats}: cache and request counters as JSON; {@code /favicon.ico}.
 * <li>static directories mounted with {@link Builder#staticFiles} (e.g. a Neuroglancer build).
 * </ul>
 * Unknown or repeated query parameters are a 400 naming them. Errors are JSON
 * {@code {"error": "...", "status": N}}: 400 bad request, 404 no such layer or key, 413 cutout
 * over the size limit, 414/431 request line or headers over the limit, 502 the store failed (or
 * holds a corrupt chunk), 503 with {@code Retry-After} when the cutout slots and their wait line
 * or the key read budget stay full; never a stack trace (those go to the log). Every request is
 * logged as one line (logger {@code org.bigarrays.server.access}: method, path, status, bytes, ms).
 *
 * <p>Batch cutouts: {@code POST /<layer>/cutouts} with {@code {"mip": N, "boxes":
 * ["x0,y0,z0:x1,y1,z1", ...]}} answers an .npz ({@code arr_0.npy}, ... in request order), streamed
 * in one cutout slot; each chunk and shard index is read at most once per window of nearby boxes.
 *
 * <p>Memory: the chunk cache, plus per cutout slot two tiles ({@link Builder#cutoutTileBytes}),
 * or for a batch four tiles (at least 16 MiB), plus the key read budget ({@link Builder#keyReadBytes}); whatever the cutout sizes, number of
 * clients and their speed. With the defaults (cache 512 MiB, 4 slots of 8 MiB tiles, 64 MiB of
 * key reads) the process stays within cache + 512 MiB under default JVM options.
 *
 * <p>Timeouts: a connection with no bytes moving for the idle timeout is closed (keep-alive
 * connections, and requests whose headers stall); a response the client does not read for the
 * write timeout fails, which frees its cutout slot. {@link #close()} shuts down gracefully: stop
 * accepting, let responses in flight finish for up to the shutdown grace, then cut them.
 *
 * <pre>{@code
 * try (LayerServer s = LayerServer.builder().layer(LayerSpec.parse("em=s3://bucket/em")).cacheBytes(1L << 30).start()) {
 *     URI em = s.layerUrl("em"); // http://127.0.0.1:<port>/em/
 * }
 * }</pre>
 */
public final class LayerServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LayerServer.class);

    private final Server jetty;
    private final ServerConnector connector;
    private final BigArraysContext context;
    private final boolean ownsContext;
    private final Map<String, ServedLayer> layers;
    private final RequestHandler handler;
    private final BufferPool readBuffers;
    private final long shutdownGraceMillis;
    private volatile boolean closed;

    /** How to build a server; {@link #start()} opens every layer (failing on a missing info) and binds. */
    public static final class Builder {
        private final List<LayerSpec> layers = new ArrayList<>();
        private final Map<String, Path> statics = new LinkedHashMap<>();
        private String bind = "127.0.0.1";
        private int port = 0;
        private long cacheBytes = 512L << 20;
        private int maxConcurrentCutouts = 4;
        private int maxQueuedCutouts = 16;
        private Duration queueWait = Duration.ofSeconds(10);
        private long maxCutoutBytes = 1L << 30;
        private long cutoutTileBytes = 8L << 20;
        private long keyReadBytes = 64L << 20;
        private Duration idleTimeout = Duration.ofSeconds(30);
        private Duration writeTimeout = Duration.ofSeconds(30);
        private int maxHeaderBytes = 16 << 10;
        private Duration shutdownGrace = Duration.ofSeconds(10);
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

        /** Bytes of decoded chunks kept for cutouts (shared by all requests); 0 for none. Default 512 MiB. */
        public Builder cacheBytes(long bytes) {
            if (bytes < 0) throw new InvalidInputException("cache size " + bytes + ": expected ≥ 0 bytes");
            this.cacheBytes = bytes;
            return this;
        }

        /** Cutouts answered at once (default 4, whatever the number of cores: each holds tile buffers). */
        public Builder maxConcurrentCutouts(int n) {
            if (n < 1) throw new InvalidInputException("max concurrent cutouts " + n + ": expected ≥ 1");
            this.maxConcurrentCutouts = n;
            return this;
        }

        /** Cutouts that may wait for a slot, in arrival order (default 16); more get 503 at once. */
        public Builder maxQueuedCutouts(int n) {
            if (n < 0) throw new InvalidInputException("max queued cutouts " + n + ": expected ≥ 0");
            this.maxQueuedCutouts = n;
            return this;
        }

        /** How long a cutout waits for a slot, and a key read for its bytes, before 503 (default 10 s). */
        public Builder queueWait(Duration d) {
            if (d.isNegative()) throw new InvalidInputException("queue wait " + d + ": expected ≥ 0");
            this.queueWait = d;
            return this;
        }

        /** The largest cutout answered (bytes of voxels); larger ones get 413. Default 1 GiB. */
        public Builder maxCutoutBytes(long bytes) {
            if (bytes < 1) throw new InvalidInputException("max cutout size " + bytes + ": expected ≥ 1 byte");
            this.maxCutoutBytes = bytes;
            return this;
        }

        /** Bytes of voxels a cutout reads before sending them (its tile buffer; default 8 MiB). */
        public Builder cutoutTileBytes(long bytes) {
            if (bytes < 4096) throw new InvalidInputException("cutout tile size " + bytes + ": expected ≥ 4096 bytes");
            this.cutoutTileBytes = bytes;
            return this;
        }

        /** Bytes that plain key reads may hold at once, all together (default 64 MiB). */
        public Builder keyReadBytes(long bytes) {
            if (bytes < (1 << 20)) throw new InvalidInputException("key read budget " + bytes + ": expected ≥ 1 MiB");
            this.keyReadBytes = bytes;
            return this;
        }

        /** Close connections with no bytes moving for this long (default 30 s). */
        public Builder idleTimeout(Duration d) {
            if (d.isNegative() || d.isZero()) throw new InvalidInputException("idle timeout " + d + ": expected > 0");
            this.idleTimeout = d;
            return this;
        }

        /** Fail a response its client has not read for this long, freeing its slot (default 30 s). */
        public Builder writeTimeout(Duration d) {
            if (d.isNegative() || d.isZero()) throw new InvalidInputException("write timeout " + d + ": expected > 0");
            this.writeTimeout = d;
            return this;
        }

        /** The largest request line plus headers accepted (default 16 KiB): longer get 414 or 431. */
        public Builder maxHeaderBytes(int bytes) {
            if (bytes < 1024) throw new InvalidInputException("max header size " + bytes + ": expected ≥ 1024 bytes");
            this.maxHeaderBytes = bytes;
            return this;
        }

        /** How long {@link LayerServer#close()} lets responses in flight finish before cutting them (default 10 s). */
        public Builder shutdownGrace(Duration d) {
            if (d.isNegative()) throw new InvalidInputException("shutdown grace " + d + ": expected ≥ 0");
            this.shutdownGrace = d;
            return this;
        }

        /**
         * Serve the files under {@code dir} at {@code /<prefix>/...} ({@code index.html} for the
         * directory itself): e.g. a Neuroglancer build for {@code bigarrays view}. The prefix must
         * not be a layer's name. Nothing outside the directory's real path is served.
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
        this.shutdownGraceMillis = b.shutdownGrace.toMillis();
        Map<String, ServedLayer> open = new LinkedHashMap<>();
        Map<String, Path> statics = new LinkedHashMap<>();
        try {
            for (LayerSpec l : b.layers) {
                BigArray a = BigArray.open(l.url(), Options.defaults(), context);
                open.put(l.name(), new ServedLayer(l, a, context.store(KeyValueStores.toUri(l.url()))));
            }
            for (var e : b.statics.entrySet()) statics.put(e.getKey(), e.getValue().toRealPath());
        } catch (java.io.IOException e) {
            if (ownsContext) context.close();
            throw new InvalidInputException("static files: " + e.getMessage());
        } catch (RuntimeException e) {
            if (ownsContext) context.close();
            throw e;
        }
        this.layers = Collections.unmodifiableMap(open);
        long waitNanos = b.queueWait.toNanos();
        CutoutSlots slots = new CutoutSlots(b.maxConcurrentCutouts, b.maxQueuedCutouts, waitNanos);
        ByteBudget budget = new ByteBudget(b.keyReadBytes, waitNanos);
        // Key read blocks are reused, and freed 2 s after their last use: at most the budget's worth.
        this.readBuffers = new BufferPool(64, b.keyReadBytes);
        ServerMetrics metrics = new ServerMetrics(slots, budget, context::chunkCache);
        this.handler = new RequestHandler(this, layers, Map.copyOf(statics), slots, budget, readBuffers, metrics, b.maxCutoutBytes, b.cutoutTileBytes);

        VirtualThreadPool threads = new VirtualThreadPool();
        threads.setName("bigarrays-http");
        // Jetty's own buffers (headers, small writes) are few and small; cap what its pool may keep.
        this.jetty = new Server(threads, null, new ArrayByteBufferPool(0, -1, -1, -1, 16L << 20, 16L << 20));
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(b.maxHeaderBytes);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        http.setIdleTimeout(b.writeTimeout.toMillis()); // while a request is being answered: a write blocked this long fails
        this.connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
        connector.setHost(b.bind);
        connector.setPort(b.port);
        connector.setIdleTimeout(b.idleTimeout.toMillis());
        connector.setAcceptQueueSize(256);
        jetty.addConnector(connector);
        jetty.setHandler(new GracefulHandler(handler));
        jetty.setErrorHandler(new JsonErrorHandler());
        jetty.setRequestLog(handler::log);
        jetty.setStopTimeout(shutdownGraceMillis);
        jetty.setStopAtShutdown(false); // the owner closes it (the CLI on SIGTERM/SIGINT)
        try {
            jetty.start();
        } catch (Exception e) {
            try {
                jetty.stop();
            } catch (Exception ignored) {
                // failed to start: nothing runs
            }
            readBuffers.close();
            if (ownsContext) context.close();
            Throwable cause = e instanceof java.io.IOException || e.getCause() == null ? e : e.getCause();
            throw new InvalidInputException("cannot listen on " + b.bind + ":" + b.port + ": " + cause.getMessage());
        }
        LOG.info("serving {} layer(s) at {}", layers.size(), baseUrl());
    }

    /** The port the server listens on. */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://<bind>:<port>/}. */
    public URI baseUrl() {
        String host = connector.getHost();
        try {
            var a = new InetSocketAddress(host == null ? "127.0.0.1" : host, 0).getAddress();
            host = a == null || a.isAnyLocalAddress() ? "127.0.0.1" : a.getHostAddress();
        } catch (RuntimeException e) {
            host = "127.0.0.1";
        }
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + port() + "/");
    }

    /** Where the layer named {@code name} is served (see {@link #neuroglancerSource} for Neuroglancer's form). */
    public URI layerUrl(String name) {
        if (!layers.containsKey(name)) throw new InvalidInputException("no layer named '" + name + "'");
        return baseUrl().resolve(name + "/");
    }

    /**
     * The Neuroglancer data source of the layer named {@code name}: its URL here after the scheme
     * of its format ({@code precomputed://}, {@code zarr3://} for Zarr v3 arrays and OME-Zarr,
     * {@code zarr2://} for Zarr v2), so the viewer reads the keys this server serves as stored.
     */
    public String neuroglancerSource(String name) {
        ServedLayer l = layers.get(name);
        if (l == null) throw new InvalidInputException("no layer named '" + name + "'");
        String scheme = switch (l.array.format()) {
            case "zarr3", "ome-zarr" -> "zarr3://";
            case "zarr2" -> "zarr2://";
            default -> "precomputed://";
        };
        return scheme + baseUrl().resolve(name);
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

    /** The decoded-chunk cache cutouts read through, or null. */
    ChunkCache cache() {
        return context.chunkCache();
    }

    /** Whether {@link #close()} has begun. */
    boolean closing() {
        return closed;
    }

    /**
     * Stop gracefully: stop accepting connections, let responses in flight finish for up to the
     * shutdown grace, then close their connections; then release the layers. Idempotent.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("stopping the HTTP server: {}", e.toString());
        }
        // Handlers cut off by the stop fail their next write; wait for them before closing the layers under them.
        if (!handler.awaitIdle(Math.max(1000, shutdownGraceMillis), TimeUnit.MILLISECONDS)) {
            LOG.warn("{} request(s) still running after the shutdown grace; closing the layers anyway", handler.active());
        }
        readBuffers.close();
        if (ownsContext) context.close();
    }
}
