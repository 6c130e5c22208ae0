package org.bigarrays.kvstore.gcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.bigarrays.StorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OAuth bearer tokens for GCS without the google-auth library (which would add Guava, gson and
 * google-http-client). In order:
 * <ol>
 *   <li>a token given directly: env {@code GCS_OAUTH_TOKEN} (e.g. {@code $(gcloud auth
 *       print-access-token)}) or system property {@code bigarrays.gcs.token}; sent on every request;
 *   <li>Application Default Credentials from a file: {@code GOOGLE_APPLICATION_CREDENTIALS}, else
 *       gcloud's {@code ~/.config/gcloud/application_default_credentials.json}; both
 *       {@code authorized_user} (refresh token) and {@code service_account} (RS256-signed JWT
 *       grant) are handled;
 *   <li>on Google Cloud, the metadata server ({@code GCE_METADATA_HOST} or system property
 *       {@code bigarrays.gcs.metadataHost} override its address).
 * </ol>
 * Sources 2 and 3 are used only once a request was refused (401/403) anonymously, so public
 * buckets need no setup and cost no token traffic, as in Neuroglancer. Their tokens are cached
 * and refreshed a minute before they expire.
 */
final class GcsAuth {
    private static final Logger LOG = LoggerFactory.getLogger(GcsAuth.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    static final String SCOPE = "https://www.googleapis.com/auth/devstorage.read_write";

    private static String cached;
    private static Instant expiry = Instant.MIN;
    private static boolean metadataAbsent;

    private GcsAuth() {}

    /** The token given directly (env or system property), or null. */
    static String configuredToken() {
        String t = System.getProperty("bigarrays.gcs.token");
        if (t == null) t = System.getenv("GCS_OAUTH_TOKEN");
        return t == null || t.isBlank() ? null : t.trim();
    }

    /** The credentials file ADC would use, or null. */
    static Path adcFile() {
        String p = System.getProperty("bigarrays.gcs.credentials", System.getenv("GOOGLE_APPLICATION_CREDENTIALS"));
        if (p != null && !p.isBlank()) return Path.of(p);
        Path gcloud = Path.of(System.getProperty("user.home"), ".config", "gcloud", "application_default_credentials.json");
        return Files.isRegularFile(gcloud) ? gcloud : null;
    }

    /** A token from the ADC file or the metadata server, or null when there is neither. */
    static synchronized String fallbackToken() {
        if (cached != null && Instant.now().isBefore(expiry)) return cached;
        cached = null;
        JsonNode grant = null;
        Path file = adcFile();
        if (file != null) {
            grant = fromFile(file);
        } else if (!metadataAbsent) {
            grant = fromMetadataServer();
            if (grant == null) metadataAbsent = true;
        }
        if (grant == null) return null;
        cached = grant.path("access_token").asText(null);
        expiry = Instant.now().plusSeconds(Math.max(0, grant.path("expires_in").asLong(3600) - 60));
        return cached;
    }

    private static JsonNode fromFile(Path file) {
        try {
            JsonNode c = JSON.readTree(file.toFile());
            String type = c.path("type").asText();
            String tokenUri = c.path("token_uri").asText("https://oauth2.googleapis.com/token");
            String form = switch (type) {
                case "authorized_user" -> "grant_type=refresh_token&client_id=" + enc(c.path("client_id").asText())
                        + "&client_secret=" + enc(c.path("client_secret").asText()) + "&refresh_token=" + enc(c.path("refresh_token").asText());
                case "service_account" -> "grant_type=" + enc("urn:ietf:params:oauth:grant-type:jwt-bearer") + "&assertion=" + enc(jwt(c, tokenUri));
                default -> throw new StorageException("gs://", "", "authenticate",
                        "credentials file " + file + " has type '" + type + "'; expected authorized_user or service_account");
            };
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(tokenUri)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new StorageException("gs://", "", "authenticate", "token endpoint " + tokenUri + " answered HTTP " + r.statusCode()
                        + " for credentials " + file + ": " + new String(r.body(), StandardCharsets.UTF_8));
            }
            return JSON.readTree(r.body());
        } catch (StorageException e) {
            throw e;
        } catch (Exception e) {
            throw new StorageException("gs://", "", "authenticate", "cannot get a token from credentials file " + file + ": " + e, e);
        }
    }

    /** A signed JWT asserting the service account, for the token endpoint (RFC 7523). */
    private static String jwt(JsonNode c, String tokenUri) throws Exception {
        long now = Instant.now().getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String claims = JSON.writeValueAsString(JSON.createObjectNode()
                .put("iss", c.path("client_email").asText()).put("scope", SCOPE).put("aud", tokenUri)
                .put("iat", now).put("exp", now + 3600));
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        String pem = c.path("private_key").asText().replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        Signature sig = Signature.getInstance("SHA256withRSA");
        sig.initSign(key);
        sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(sig.sign());
    }

    private static JsonNode fromMetadataServer() {
        String host = System.getProperty("bigarrays.gcs.metadataHost", System.getenv("GCE_METADATA_HOST"));
        URI tokenUri = URI.create("http://" + (host == null ? "metadata.google.internal" : host)
                + "/computeMetadata/v1/instance/service-accounts/default/token");
        try {
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(tokenUri).header("Metadata-Flavor", "Google")
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
        } catch (Exception e) {
            LOG.debug("no GCE metadata server: {}", e.toString());
            return null;
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Forget cached tokens (tests). */
    static synchronized void reset() {
        cached = null;
        expiry = Instant.MIN;
        metadataAbsent = false;
    }
}
