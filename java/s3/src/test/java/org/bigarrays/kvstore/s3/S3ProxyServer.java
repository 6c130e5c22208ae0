package org.bigarrays.kvstore.s3;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for the tests: S3Proxy 4.1.0 (fetched by Maven into target/s3proxy) run as a
 * subprocess on 127.0.0.1 with SigV4 auth and an in-memory blob store. One per test JVM,
 * started on first use, killed at exit. The SDK's default credential chain is pointed at it
 * through the {@code aws.*} system properties, so {@code s3://} URLs work as they would from env.
 */
public final class S3ProxyServer {
    public static final String IDENTITY = "bigarrays-test-identity";
    public static final String CREDENTIAL = "bigarrays-test-credential";
    public static final String REGION = "us-east-1";
    private static S3ProxyServer instance;

    private final Process process;
    private final int port;

    private S3ProxyServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The shared server, started on first call. */
    public static synchronized S3ProxyServer get() throws IOException, InterruptedException {
        if (instance == null) instance = start();
        return instance;
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** A client with the server's credentials (for setup: creating buckets). */
    public S3Client client(URI endpoint) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .forcePathStyle(true)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(IDENTITY, CREDENTIAL)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(64))
                .build();
    }

    /** Create {@code bucket} if it does not exist yet. */
    public void createBucket(String bucket) {
        try (S3Client c = client(URI.create(endpoint()))) {
            if (c.listBuckets().buckets().stream().noneMatch(b -> b.name().equals(bucket))) c.createBucket(b -> b.bucket(bucket));
        }
    }

    private static S3ProxyServer start() throws IOException, InterruptedException {
        String jar = System.getProperty("bigarrays.s3proxy.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("S3Proxy jar not found at '" + jar + "' (system property bigarrays.s3proxy.jar); "
                    + "run the tests through Maven, whose generate-test-resources phase copies it to target/s3proxy/");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path dir = Path.of(jar).getParent();
        Path props = dir.resolve("s3proxy-" + port + ".properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + IDENTITY,
                "s3proxy.credential=" + CREDENTIAL,
                "jclouds.provider=transient-nio2",
                "jclouds.identity=" + IDENTITY,
                "jclouds.credential=" + CREDENTIAL,
                ""));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx512m", "-jar", jar, "--properties", props.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("s3proxy-" + port + ".log").toFile())
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            if (!p.isAlive()) throw new IllegalStateException("S3Proxy exited with " + p.exitValue() + "; see " + dir.resolve("s3proxy-" + port + ".log"));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                break;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IllegalStateException("S3Proxy did not listen on port " + port + " within 60 s");
                }
                Thread.sleep(100);
            }
        }
        // The stores under test find these through the SDK's default chains, as they would find env.
        System.setProperty("aws.accessKeyId", IDENTITY);
        System.setProperty("aws.secretAccessKey", CREDENTIAL);
        System.setProperty("aws.region", REGION);
        return new S3ProxyServer(p, port);
    }
}
