package org.bigarrays.kvstore.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bigarrays.InvalidInputException;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.remote.RemoteSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * S3 clients, one per (endpoint, region, timeout, pool size) for the whole process: BigArray opens a
 * store per scale, and each client owns a connection pool that should be shared.
 *
 * <p>Where settings come from, first found wins:
 * <ul>
 *   <li>endpoint: URL parameter {@code ?endpoint=}, system property {@code aws.endpointUrl}, env
 *       {@code AWS_ENDPOINT_URL_S3}, env {@code AWS_ENDPOINT_URL}; none = AWS. A custom endpoint
 *       turns on path-style addressing (MinIO, Ceph, S3Proxy, GCS interop);
 *   <li>region: {@code ?region=}, then the SDK's default chain ({@code AWS_REGION}, profile...),
 *       then us-east-1 (with cross-region access, so a bucket elsewhere still works on AWS);
 *   <li>credentials: the SDK's default chain; if it finds none, anonymous (public buckets).
 * </ul>
 * The SDK's own retries are off: {@link org.bigarrays.kvstore.remote.Retrier} retries every
 * store the same way and counts the attempts. Checksums are computed and validated only when
 * required, as third-party S3 servers and GCS reject the SDK's default trailing checksums.
 */
final class S3Clients {
    private static final Logger LOG = LoggerFactory.getLogger(S3Clients.class);
    private static final Map<Config, S3Client> CLIENTS = new ConcurrentHashMap<>();
    private static boolean defaultRegionLooked;
    private static String defaultRegion;

    /** What distinguishes one client from another. endpoint is null for AWS. */
    record Config(String endpoint, String region, Duration timeout, int maxConnections) {}

    private S3Clients() {}

    /** The configuration for a store at {@code uri}, from the URL, then {@code sysprops}, then {@code env}. */
    static Config config(URI uri, RemoteSettings settings, Map<String, String> env, java.util.Properties sysprops) {
        String endpoint = KeyValueStores.queryParam(uri, "endpoint");
        if (endpoint == null) endpoint = sysprops.getProperty("aws.endpointUrl");
        if (endpoint == null) endpoint = env.get("AWS_ENDPOINT_URL_S3");
        if (endpoint == null) endpoint = env.get("AWS_ENDPOINT_URL");
        if (endpoint != null) {
            endpoint = endpoint.trim().replaceAll("/+$", "");
            if (!endpoint.matches("^https?://.+")) {
                throw new InvalidInputException("S3 endpoint '" + endpoint + "' for " + uri + ": expected http://host[:port] or https://host[:port]");
            }
        }
        String region = KeyValueStores.queryParam(uri, "region");
        if (region == null) region = defaultRegion();
        return new Config(endpoint, region, settings.attemptTimeout(), settings.maxInFlight());
    }

    /**
     * The default chain's region, looked up once per process: off EC2 the chain ends by probing
     * the instance metadata service, which costs seconds, and BigArray opens a store per scale.
     */
    private static synchronized String defaultRegion() {
        if (!defaultRegionLooked) {
            defaultRegionLooked = true;
            try {
                defaultRegion = new DefaultAwsRegionProviderChain().getRegion().id();
            } catch (RuntimeException e) {
                defaultRegion = null; // none configured: us-east-1 below
            }
        }
        return defaultRegion;
    }

    static S3Client get(Config c) {
        return CLIENTS.computeIfAbsent(c, S3Clients::build);
    }

    private static S3Client build(Config c) {
        var http = ApacheHttpClient.builder()
                .maxConnections(c.maxConnections())
                .connectionTimeout(Duration.ofSeconds(10))
                .socketTimeout(c.timeout())
                .connectionAcquisitionTimeout(Duration.ofMinutes(10)); // the store's semaphore bounds waiting
        var b = S3Client.builder()
                .httpClientBuilder(http)
                .credentialsProvider(credentials())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                // Chunks are small: "Expect: 100-continue" would cost a round trip per PUT.
                .serviceConfiguration(S3Configuration.builder().expectContinueEnabled(false).build())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallAttemptTimeout(c.timeout()));
        if (c.region() != null) {
            b.region(Region.of(c.region()));
        } else {
            b.region(Region.US_EAST_1);
            if (c.endpoint() == null) b.crossRegionAccessEnabled(true);
        }
        if (c.endpoint() != null) b.endpointOverride(URI.create(c.endpoint())).forcePathStyle(true);
        LOG.debug("new S3 client: endpoint {}, region {}", c.endpoint() == null ? "AWS" : c.endpoint(), c.region());
        return b.build();
    }

    private static AwsCredentialsProvider credentials() {
        DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
        try {
            chain.resolveCredentials();
            return chain;
        } catch (RuntimeException e) {
            LOG.info("no AWS credentials found ({}); S3 requests are anonymous", e.getMessage());
            return AnonymousCredentialsProvider.create();
        }
    }
}
