package org.bigarrays.kvstore.gcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OAuth bearer tokens for GCS without the google-auth library (which would add Guava, gson and
 * google-http-client): env {@code GCS_OAUTH_TOKEN} (e.g. {@code $(gcloud auth
 * print-access-token)}) or system property {@code bigarrays.gcs.token}; otherwise, on Google
 * Cloud, the metadata server's service-account token. Requests start anonymous (public buckets
 * need no setup, as in Neuroglancer); the metadata server ({@code GCE_METADATA_HOST} or system
 * property {@code bigarrays.gcs.metadataHost} override its address) is asked only after a 401/403, once,
 * and its token is refreshed before it expires. Service-account key files and user refresh
 * tokens (full Application Default Credentials) are not read.
 */
final class GcsAuth {
    private static final Logger LOG = LoggerFactory.getLogger(GcsAuth.class);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private static volatile boolean metadataTried;
    private static volatile String metadataToken;
    private static volatile Instant metadataExpiry = Instant.MIN;

    private GcsAuth() {}

    /** The configured token (env or system property), or null. */
    static String configuredToken() {
        String t = System.getProperty("bigarrays.gcs.token");
        if (t == null) t = System.getenv("GCS_OAUTH_TOKEN");
        return t == null || t.isBlank() ? null : t.trim();
    }

    /** A token from the metadata server, or null when not on Google Cloud. */
    static synchronized String metadataToken() {
        if (metadataToken != null && Instant.now().isBefore(metadataExpiry)) return metadataToken;
        if (metadataTried && metadataToken == null) return null;
        metadataTried = true;
        metadataToken = null;
        String host = System.getProperty("bigarrays.gcs.metadataHost", System.getenv("GCE_METADATA_HOST"));
        URI tokenUri = URI.create("http://" + (host == null ? "metadata.google.internal" : host)
                + "/computeMetadata/v1/instance/service-accounts/default/token");
        try {
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(tokenUri).header("Metadata-Flavor", "Google")
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) return null;
            JsonNode j = new ObjectMapper().readTree(r.body());
            metadataToken = j.path("access_token").asText(null);
            metadataExpiry = Instant.now().plusSeconds(Math.max(0, j.path("expires_in").asLong(0) - 60));
        } catch (Exception e) {
            LOG.debug("no GCE metadata server: {}", e.toString());
        }
        return metadataToken;
    }
}
