package org.bigarrays.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.BigArraysException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.NpyHeader;
import org.bigarrays.chunk.ChunkCache;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.BufferPool;
import org.bigarrays.core.Lease;
import org.bigarrays.kvstore.ByteRange;
import org.bigarrays.kvstore.Keys;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.NanoTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes of {@link LayerServer}, one virtual thread per request: each request is answered
 * with blocking writes, so a response never holds more than the block being written.
 */
final class RequestHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(LayerServer.class);
    private static final Logger ACCESS = LoggerFactory.getLogger("org.bigarrays.server.access");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Request attributes the access log and metrics read. */
    static final String ROUTE = "bigarrays.route";
    /** Bytes per read of a value on local disk: one positional read, one socket write. */
    private static final long FILE_BLOCK = 1L << 20;
    /** Bytes per read of a value in a remote store: one ranged GET each. */
    private static final long STORE_BLOCK = 4L << 20;
    /** Stored chunks up to this size are read whole to check their compression; larger ones are streamed as stored. */
    private static final long SNIFF = 16;
    private static final Set<String> NO_PARAMETERS = Set.of();
    private static final byte[] FAVICON = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAAAKElEQVR42mPQqDjxHxl/+PABBROSZxgGBpCqAV1+OBgwmg5G0wEQAwB6Ihsue9cp+gAAAABJRU5ErkJggg==");

    private final LayerServer server;
    private final Map<String, ServedLayer> layers;
    private final Map<String, Path> statics;
    private final CutoutSlots slots;
    private final ByteBudget budget;
    private final BufferPool buffers;
    private final ServerMetrics metrics;
    private final long maxCutoutBytes;
    private final long tileBytes;
    /** The memory one batch request works in: four cutout tiles, at least 16 MiB (see LayerServer's bound). */
    private final long batchMemory;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong cutouts = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();

    RequestHandler(LayerServer server, Map<String, ServedLayer> layers, Map<String, Path> statics, CutoutSlots slots, ByteBudget budget,
            BufferPool buffers, ServerMetrics metrics, long maxCutoutBytes, long tileBytes) {
        this.server = server;
        this.layers = layers;
        this.statics = statics;
        this.slots = slots;
        this.budget = budget;
        this.buffers = buffers;
        this.metrics = metrics;
        this.maxCutoutBytes = maxCutoutBytes;
        this.tileBytes = tileBytes;
        this.batchMemory = Math.max(16L << 20, 4 * tileBytes);
    }

    /** Requests being handled now. */
    int active() {
        return active.get();
    }

    /** Wait until no request is being handled; false if some still are after {@code timeout}. */
    boolean awaitIdle(long timeout, TimeUnit unit) {
        long end = System.nanoTime() + unit.toNanos(timeout);
        while (active.get() > 0) {
            if (System.nanoTime() - end > 0) return false;
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** The access log line and the request metrics, once the response is complete (Jetty's request log hook). */
    void log(Request request, Response response) {
        Object r = request.getAttribute(ROUTE);
        String route = r instanceof String s ? s : ServerMetrics.OTHER;
        int status = response.getStatus();
        long bytes = Response.getContentBytesWritten(response);
        long nanos = NanoTime.since(request.getBeginNanoTime());
        metrics.request(route, status, bytes, nanos);
        if (ACCESS.isInfoEnabled()) {
            ACCESS.info("{} {} {} {} {} {}ms", Request.getRemoteAddr(request), request.getMethod(), request.getHttpURI().getPathQuery(), status, bytes,
                    TimeUnit.NANOSECONDS.toMillis(nanos));
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        requests.incrementAndGet();
        active.incrementAndGet();
        try {
            handleOne(request, response, callback);
        } finally {
            active.decrementAndGet();
        }
        return true;
    }

    private void handleOne(Request request, Response response, Callback callback) {
        try {
            cors(response);
            String method = request.getMethod();
            if (method.equals("OPTIONS")) {
                request.setAttribute(ROUTE, ServerMetrics.OTHER);
                response.getHeaders().put("Access-Control-Max-Age", "86400");
                response.setStatus(204);
                callback.succeeded();
                return;
            }
            if (method.equals("POST")) {
                batch(request, response, callback);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                request.setAttribute(ROUTE, ServerMetrics.OTHER);
                response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD, POST, OPTIONS");
                throw new HttpError(405, "method " + method + " not allowed: GET, HEAD, POST (batch cutouts) or OPTIONS");
            }
            route(request, response, callback, method.equals("HEAD"));
        } catch (HttpError e) {
            if (e.status == 503) {
                rejected.incrementAndGet();
                metrics.rejected(String.valueOf(request.getAttribute(ROUTE)));
                response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
            }
            sendError(response, callback, e.status, e.getMessage(), e);
        } catch (InvalidInputException e) {
            sendError(response, callback, 400, e.getMessage(), e);
        } catch (BigArraysException e) {
            // Storage failures, corrupt chunks, malformed metadata in the store: the upstream's fault.
            LOG.warn("{} {}: {}", request.getMethod(), request.getHttpURI().getPathQuery(), e.toString());
            Object layer = request.getAttribute("bigarrays.layer");
            metrics.storeError(layer instanceof String s ? s : "");
            sendError(response, callback, 502, e.getMessage(), e);
        } catch (ClientGone e) {
            LOG.debug("{} {}: client went away: {}", request.getMethod(), request.getHttpURI().getPathQuery(), e.getCause().toString());
            callback.failed(e.getCause());
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.error("{} {} failed", request.getMethod(), request.getHttpURI().getPathQuery(), e);
            sendError(response, callback, 500, "internal error: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }

    /** The client failed a write (went away, or did not read for the write timeout): the response cannot be finished. */
    static final class ClientGone extends RuntimeException {
        ClientGone(IOException cause) {
            super(cause.toString(), cause, false, false);
        }
    }

    private static void cors(Response response) {
        var h = response.getHeaders();
        h.put("Access-Control-Allow-Origin", "*");
        h.put("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS");
        h.put("Access-Control-Allow-Headers", "Range, Content-Type, Accept-Encoding");
        h.put("Access-Control-Expose-Headers", "Content-Range, Content-Length, Content-Encoding, Accept-Ranges, ETag, X-BigArrays-Shape, X-BigArrays-Data-Type");
    }

    private void route(Request request, Response response, Callback callback, boolean head) {
        String path = request.getHttpURI().getDecodedPath();
        String query = request.getHttpURI().getQuery();
        if (path == null || path.isEmpty()) path = "/";
        switch (path) {
            case "/" -> {
                request.setAttribute(ROUTE, ServerMetrics.INDEX);
                QueryParameters.parse(query, NO_PARAMETERS);
                sendJson(response, callback, index(), head);
                return;
            }
            case "/healthz" -> {
                request.setAttribute(ROUTE, ServerMetrics.HEALTH);
                QueryParameters.parse(query, NO_PARAMETERS);
                if (server.closing()) throw new HttpError(503, "shutting down");
                sendJson(response, callback, Map.of("status", "ok"), head);
                return;
            }
            case "/metrics" -> {
                request.setAttribute(ROUTE, ServerMetrics.METRICS);
                QueryParameters.parse(query, NO_PARAMETERS);
                send(response, callback, 200, metrics.contentType(), metrics.scrape(), head);
                return;
            }
            case "/_stats" -> {
                request.setAttribute(ROUTE, ServerMetrics.STATS);
                QueryParameters.parse(query, NO_PARAMETERS);
                sendJson(response, callback, stats(), head);
                return;
            }
            case "/favicon.ico" -> {
                request.setAttribute(ROUTE, ServerMetrics.FAVICON);
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "public, max-age=86400");
                send(response, callback, 200, "image/png", FAVICON, head);
                return;
            }
            default -> { }
        }
        String rest = path.substring(1);
        int slash = rest.indexOf('/');
        String name = slash < 0 ? rest : rest.substring(0, slash);
        String key = slash < 0 ? "" : rest.substring(slash + 1);
        Path dir = statics.get(name);
        if (dir != null) {
            request.setAttribute(ROUTE, ServerMetrics.STATIC);
            serveStatic(response, callback, dir, key, head);
            return;
        }
        ServedLayer layer = layers.get(name);
        if (layer == null) throw new HttpError(404, "no layer named '" + name + "'; layers: " + String.join(", ", layers.keySet()));
        request.setAttribute("bigarrays.layer", name);
        if (key.equals("cutout")) {
            request.setAttribute(ROUTE, ServerMetrics.CUTOUT);
            cutout(request, response, callback, layer, head);
            return;
        }
        request.setAttribute(ROUTE, ServerMetrics.KEY);
        QueryParameters.parse(query, NO_PARAMETERS);
        if (key.isEmpty()) throw new HttpError(404, "layer '" + name + "': give a key (info, a chunk key) or cutout?box=...");
        String problem = Keys.problem(key);
        if (problem != null) throw new HttpError(400, "key '" + Keys.printable(key) + "': " + problem);
        serveKey(request, response, callback, layer, key, head);
    }

    // ---- stored values ----

    private void serveKey(Request request, Response response, Callback callback, ServedLayer layer, String key, boolean head) {
        String rangeHeader = request.getHeaders().get(HttpHeader.RANGE);
        ByteRange range = RangeHeader.parse(rangeHeader);
        long block = layer.store.local() ? FILE_BLOCK : STORE_BLOCK;
        // A whole value under any name a chunk may have; ranges are for shard files, which have one.
        StoredValue value = range == null ? layer.openAnyName(key, block, budget) : layer.open(key, block, budget);
        if (value == null) throw new HttpError(404, "layer '" + layer.spec.name() + "': no key '" + Keys.printable(key) + "'");
        try (StoredValue v = value) {
            long size = v.size();
            var h = response.getHeaders();
            h.put(HttpHeader.CONTENT_TYPE, key.equals("info") || key.endsWith("/info") ? "application/json" : "application/octet-stream");
            h.put(HttpHeader.ACCEPT_RANGES, "bytes");
            long start = 0;
            long end = size;
            int status = 200;
            if (range != null) {
                if (range.start() >= size) {
                    h.put(HttpHeader.CONTENT_RANGE, "bytes */" + size);
                    throw new HttpError(416, "range " + rangeHeader + " starts at or beyond the end of '" + Keys.printable(key) + "' (" + size + " bytes)");
                }
                start = range.start();
                end = Math.min(range.end(), size);
                status = 206;
                h.put(HttpHeader.CONTENT_RANGE, "bytes " + start + "-" + (end - 1) + "/" + size);
            } else if (size > 0 && layer.isChunk(key)) {
                MemorySegment sniff = readSmall(v, 0, Math.min(size, SNIFF));
                Compression c = layer.chunkCompression(key, sniff, size);
                if (c == Compression.GZIP) {
                    h.put(HttpHeader.CONTENT_ENCODING, "gzip");
                } else if (c != Compression.NONE) {
                    sendDecompressed(response, callback, layer, key, v, head);
                    return;
                }
            }
            response.setStatus(status);
            h.put(HttpHeader.CONTENT_LENGTH, end - start);
            if (head || end == start) {
                callback.succeeded();
                return;
            }
            stream(response, v, start, end, block);
            callback.succeeded();
        }
    }

    /** The bytes {@code [position, position + n)} of a value, n small (no budget). */
    private static MemorySegment readSmall(StoredValue v, long position, long n) {
        MemorySegment s = MemorySegment.ofArray(new byte[(int) n]);
        v.read(position, s);
        return s;
    }

    /** Bytes {@code [start, end)} of {@code v} to the client, a block at a time, each block held in the key read budget. */
    private void stream(Response response, StoredValue v, long start, long end, long block) {
        MemorySegment held = v.held();
        if (held != null) { // read whole when opened, within the budget it still holds
            write(response, held.asSlice(start, end - start).asByteBuffer());
            return;
        }
        for (long pos = start; pos < end; ) {
            long n = Math.min(block, end - pos);
            int units = budget.acquire(n);
            try (Lease lease = buffers.lease(n)) {
                MemorySegment buf = lease.segment().asSlice(0, n);
                v.read(pos, buf);
                write(response, buf.asByteBuffer());
            } finally {
                budget.release(units);
            }
            pos += n;
        }
    }

    /** A zstd or lz4 chunk, which Neuroglancer cannot inflate, sent decompressed (read whole, within the budget). */
    private void sendDecompressed(Response response, Callback callback, ServedLayer layer, String key, StoredValue v, boolean head) {
        long size = v.size();
        long need = size + layer.maxReadableBytes(key);
        if (size > Integer.MAX_VALUE - 8 || need > budget.bytes()) {
            throw new HttpError(502, "layer '" + layer.spec.name() + "': chunk '" + Keys.printable(key) + "' (" + size
                    + " bytes stored) is too large to decompress within the key read budget of " + budget.bytes() + " bytes");
        }
        int units = budget.acquire(need);
        try {
            MemorySegment stored = MemorySegment.ofArray(new byte[(int) size]);
            v.read(0, stored);
            MemorySegment out = layer.readable(key, stored);
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH, out.byteSize());
            if (!head && out.byteSize() > 0) write(response, out.asByteBuffer());
        } finally {
            budget.release(units);
        }
        callback.succeeded();
    }

    // ---- cutouts ----

    private void cutout(Request request, Response response, Callback callback, ServedLayer layer, boolean head) {
        CutoutRequest req = CutoutRequest.parse(request.getHttpURI().getQuery(), layer.info());
        long bytes = req.bytes(layer.info());
        if (bytes > maxCutoutBytes) {
            throw new HttpError(413, "box " + req.box() + " is " + (bytes == Long.MAX_VALUE ? "more than 2^63" : bytes) + " bytes; this server answers cutouts up to "
                    + maxCutoutBytes + " bytes: ask for smaller boxes");
        }
        BigArray a = layer.array.mip(req.mip());
        long[] shape = req.shape(layer.info());
        byte[] header = req.npy() ? NpyHeader.of(a.dataType(), shape) : new byte[0];
        long total = header.length + bytes;
        var h = response.getHeaders();
        h.put(HttpHeader.CONTENT_TYPE, req.npy() ? "application/x-npy" : "application/octet-stream");
        h.put("X-BigArrays-Shape", shape[0] + "," + shape[1] + "," + shape[2] + "," + shape[3]);
        h.put("X-BigArrays-Data-Type", a.dataType().toString());
        h.put(HttpHeader.CONTENT_LENGTH, total);
        response.setStatus(200);
        if (head) { // the headers say all a HEAD asks: no slot, no chunk read
            callback.succeeded();
            return;
        }
        try (CutoutSlots.Slot slot = slots.acquire()) {
            cutouts.incrementAndGet();
            ResponseChannel out = new ResponseChannel(response, total, slot::close);
            try {
                a.read(req.box(), out, req.npy(), tileBytes);
                out.flush();
            } catch (RuntimeException e) {
                if (out.clientFailure() != null) throw new ClientGone(out.clientFailure());
                if (response.isCommitted()) { // mid-body: the status is sent; cut the connection so the client sees a short body
                    LOG.warn("{} {}: failed after {} bytes: {}", request.getMethod(), request.getHttpURI().getPathQuery(), out.written(), e.toString());
                    errors.incrementAndGet();
                    if (e instanceof BigArraysException) metrics.storeError(layer.spec.name());
                    callback.failed(e);
                    return;
                }
                throw e;
            } catch (IOException e) {
                throw new ClientGone(e);
            }
        }
        callback.succeeded();
    }

    // ---- batch cutouts ----

    /**
     * {@code POST /<layer>/cutouts} with {@code {"mip": N, "boxes": [...]}}: an .npz of the boxes
     * in request order ({@link BatchCutouts}), streamed in one cutout slot within
     * {@link #batchMemory} bytes; all the boxes together at most the server's cutout size.
     */
    private void batch(Request request, Response response, Callback callback) {
        request.setAttribute(ROUTE, ServerMetrics.BATCH);
        String path = request.getHttpURI().getDecodedPath();
        String rest = path == null || path.length() < 2 ? "" : path.substring(1);
        int slash = rest.indexOf('/');
        if (slash < 0 || !rest.substring(slash + 1).equals("cutouts")) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD, OPTIONS");
            throw new HttpError(405, "POST is answered only at /<layer>/cutouts (batch cutouts), not at '" + path + "'");
        }
        String name = rest.substring(0, slash);
        ServedLayer layer = layers.get(name);
        if (layer == null) throw new HttpError(404, "no layer named '" + name + "'; layers: " + String.join(", ", layers.keySet()));
        request.setAttribute("bigarrays.layer", name);
        QueryParameters.parse(request.getHttpURI().getQuery(), NO_PARAMETERS);
        BatchRequest req;
        try (InputStream body = Content.Source.asInputStream(request)) {
            req = BatchRequest.read(body, layer.info(), BatchRequest.DEFAULT_MAX_BOXES, maxCutoutBytes);
        } catch (IOException e) {
            throw new HttpError(400, "request body: " + e.getMessage());
        }
        long total = BatchCutouts.size(layer.array, req, batchMemory);
        var h = response.getHeaders();
        h.put(HttpHeader.CONTENT_TYPE, BatchCutouts.CONTENT_TYPE);
        h.put(HttpHeader.CONTENT_LENGTH, total);
        response.setStatus(200);
        try (CutoutSlots.Slot slot = slots.acquire()) {
            cutouts.incrementAndGet();
            ResponseChannel out = new ResponseChannel(response, total, slot::close);
            try {
                BatchCutouts.write(layer.array, req, Channels.newOutputStream(out), batchMemory);
                out.flush();
            } catch (RuntimeException e) {
                if (out.clientFailure() != null) throw new ClientGone(out.clientFailure());
                if (response.isCommitted()) {
                    LOG.warn("POST {}: failed after {} bytes: {}", path, out.written(), e.toString());
                    errors.incrementAndGet();
                    if (e instanceof BigArraysException) metrics.storeError(name);
                    callback.failed(e);
                    return;
                }
                throw e;
            } catch (IOException e) {
                throw new ClientGone(out.clientFailure() != null ? out.clientFailure() : e);
            }
        }
        callback.succeeded();
    }

    // ---- static files ----

    private static void serveStatic(Response response, Callback callback, Path dir, String rel, boolean head) {
        Path p = dir.resolve(rel.isEmpty() ? "index.html" : rel).normalize();
        if (!p.startsWith(dir)) throw new HttpError(400, "path '" + rel + "' leaves the static directory");
        try {
            if (Files.isDirectory(p)) p = p.resolve("index.html");
            if (!Files.isRegularFile(p) || !p.toRealPath().startsWith(dir)) throw new HttpError(404, "no file '" + rel + "'");
            String n = p.getFileName().toString();
            String type = n.endsWith(".js") ? "text/javascript" : n.endsWith(".wasm") ? "application/wasm" : n.endsWith(".css") ? "text/css"
                    : n.endsWith(".html") ? "text/html; charset=utf-8" : n.endsWith(".json") ? "application/json" : n.endsWith(".svg") ? "image/svg+xml"
                    : n.endsWith(".png") ? "image/png" : Files.probeContentType(p);
            var h = response.getHeaders();
            h.put(HttpHeader.CONTENT_TYPE, type == null ? "application/octet-stream" : type);
            try (var ch = java.nio.channels.FileChannel.open(p.toRealPath(), java.nio.file.StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
                long size = ch.size();
                response.setStatus(200);
                h.put(HttpHeader.CONTENT_LENGTH, size);
                if (!head) {
                    ByteBuffer buf = ByteBuffer.allocate((int) Math.min(size, 64 << 10));
                    for (long pos = 0; pos < size; ) {
                        buf.clear();
                        int got = ch.read(buf, pos);
                        if (got < 0) throw new IOException("file shrank while reading");
                        buf.flip();
                        write(response, buf);
                        pos += got;
                    }
                }
            }
        } catch (IOException e) {
            throw new HttpError(404, "no file '" + rel + "': " + e.getMessage());
        }
        callback.succeeded();
    }

    // ---- responses ----

    /** Write {@code buf} and wait until it is out (the caller may then reuse it). */
    private static void write(Response response, ByteBuffer buf) {
        try (Blocker.Callback cb = Blocker.callback()) {
            response.write(false, buf, cb);
            cb.block();
        } catch (IOException e) {
            throw new ClientGone(e);
        }
    }

    private static void send(Response response, Callback callback, int status, String type, byte[] body, boolean head) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if (head) {
            callback.succeeded();
            return;
        }
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    private static void sendJson(Response response, Callback callback, Object body, boolean head) {
        try {
            send(response, callback, 200, "application/json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body), head);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void sendError(Response response, Callback callback, int status, String message, Throwable cause) {
        errors.incrementAndGet();
        if (response.isCommitted()) { // the failure came mid-body: nothing more can be said
            callback.failed(cause);
            return;
        }
        String m = message == null ? "" : message.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
        var h = response.getHeaders();
        h.remove(HttpHeader.CONTENT_ENCODING);
        h.remove(HttpHeader.CONTENT_LENGTH);
        h.remove("X-BigArrays-Shape");
        h.remove("X-BigArrays-Data-Type");
        if (status != 416) h.remove(HttpHeader.CONTENT_RANGE);
        send(response, callback, status, "application/json", errorBody(status, m), false);
    }

    static byte[] errorBody(int status, String message) {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", message);
        n.put("status", status);
        return n.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The layers by name, with what a viewer needs; never their store URLs or paths. */
    private Map<String, Object> index() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> ls = new LinkedHashMap<>();
        layers.forEach((name, l) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("source", server.neuroglancerSource(name));
            e.put("format", l.array.format());
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
        m.put("cutouts_in_flight", slots.inFlight());
        m.put("cutouts_queued", slots.queued());
        m.put("rejected_busy", rejected.get());
        m.put("errors", errors.get());
        m.put("key_read_bytes_in_use", budget.inUse());
        ChunkCache c = server.cache();
        if (c != null) m.put("chunk_cache", c.stats());
        Runtime rt = Runtime.getRuntime();
        m.put("heap_used_bytes", rt.totalMemory() - rt.freeMemory());
        return m;
    }
}
