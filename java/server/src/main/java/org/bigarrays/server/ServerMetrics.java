package org.bigarrays.server;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;
import org.bigarrays.chunk.ChunkCache;

/**
 * The server's Prometheus metrics (text format at {@code /metrics}), in a registry of its own so
 * that two servers in one JVM count apart:
 * <ul>
 * <li>{@code bigarrays_http_requests_total{route,status}}, {@code bigarrays_http_request_duration_seconds{route}}
 *     (from the request's arrival to its last byte), {@code bigarrays_http_response_bytes_total{route}};
 * <li>{@code bigarrays_cutouts_in_flight}, {@code bigarrays_cutouts_queued}, {@code bigarrays_cutouts_rejected_total};
 * <li>{@code bigarrays_key_read_bytes_in_use} (of the shared read budget);
 * <li>{@code bigarrays_chunk_cache_hits_total}, {@code _misses_total}, {@code _bytes}, {@code _capacity_bytes};
 * <li>{@code bigarrays_store_errors_total{layer}}: requests answered 502 because the store failed.
 * </ul>
 */
final class ServerMetrics {
    /** Route labels: a closed set, so a client cannot make new time series by asking for new paths. */
    static final String INDEX = "index", HEALTH = "healthz", METRICS = "metrics", STATS = "stats", KEY = "key", CUTOUT = "cutout", BATCH = "cutouts",
            STATIC = "static", FAVICON = "favicon", OTHER = "other";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter requests;
    private final Histogram latency;
    private final Counter bytesOut;
    private final Counter storeErrors;
    private final Counter rejected;

    ServerMetrics(CutoutSlots slots, ByteBudget budget, Supplier<ChunkCache> cache) {
        requests = Counter.builder().name("bigarrays_http_requests_total").help("HTTP requests answered, by route and status")
                .labelNames("route", "status").register(registry);
        latency = Histogram.builder().name("bigarrays_http_request_duration_seconds").help("time from a request's arrival to its last byte, by route")
                .labelNames("route").classicOnly()
                .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60).register(registry);
        bytesOut = Counter.builder().name("bigarrays_http_response_bytes_total").help("response body bytes sent, by route")
                .labelNames("route").register(registry);
        storeErrors = Counter.builder().name("bigarrays_store_errors_total").help("requests answered 502 because the layer's store failed or held a corrupt value")
                .labelNames("layer").register(registry);
        rejected = Counter.builder().name("bigarrays_busy_rejections_total").help("requests answered 503 because cutout slots or the key read budget stayed full")
                .labelNames("route").register(registry);
        GaugeWithCallback.builder().name("bigarrays_cutouts_in_flight").help("cutouts holding a slot")
                .callback(cb -> cb.call(slots.inFlight())).register(registry);
        GaugeWithCallback.builder().name("bigarrays_cutouts_queued").help("cutouts waiting for a slot")
                .callback(cb -> cb.call(slots.queued())).register(registry);
        GaugeWithCallback.builder().name("bigarrays_key_read_bytes_in_use").help("bytes of the key read budget held by reads in flight")
                .callback(cb -> cb.call(budget.inUse())).register(registry);
        GaugeWithCallback.builder().name("bigarrays_key_read_budget_bytes").help("the key read budget")
                .callback(cb -> cb.call(budget.bytes())).register(registry);
        CounterWithCallback.builder().name("bigarrays_chunk_cache_hits_total").help("cutout chunk reads served from the decoded-chunk cache")
                .callback(cb -> {
                    ChunkCache c = cache.get();
                    cb.call(c == null ? 0 : c.stats().hits());
                }).register(registry);
        CounterWithCallback.builder().name("bigarrays_chunk_cache_misses_total").help("cutout chunk reads that had to load and decode the chunk")
                .callback(cb -> {
                    ChunkCache c = cache.get();
                    cb.call(c == null ? 0 : c.stats().misses());
                }).register(registry);
        GaugeWithCallback.builder().name("bigarrays_chunk_cache_bytes").help("bytes of decoded chunks held by the cache")
                .callback(cb -> {
                    ChunkCache c = cache.get();
                    cb.call(c == null ? 0 : c.stats().bytes());
                }).register(registry);
        GaugeWithCallback.builder().name("bigarrays_chunk_cache_capacity_bytes").help("the cache's capacity")
                .callback(cb -> {
                    ChunkCache c = cache.get();
                    cb.call(c == null ? 0 : c.capacity());
                }).register(registry);
    }

    /** Count one finished request. */
    void request(String route, int status, long bytes, long nanos) {
        requests.labelValues(route, Integer.toString(status)).inc();
        latency.labelValues(route).observe(nanos / 1e9);
        if (bytes > 0) bytesOut.labelValues(route).inc(bytes);
    }

    void storeError(String layer) {
        storeErrors.labelValues(layer).inc();
    }

    void rejected(String route) {
        rejected.labelValues(route).inc();
    }

    /** The metrics in Prometheus text format. */
    byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    String contentType() {
        return writer.getContentType();
    }
}
