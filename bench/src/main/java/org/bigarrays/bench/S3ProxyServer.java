package org.bigarrays.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3Proxy (an in-memory S3) started on 127.0.0.1 for a benchmark, from {@code -Dbench.s3proxy.jar}
 * (default {@code bench/target/s3proxy/s3proxy.jar}), with the SDK's credentials set for
 * BigArrays' S3 store and a direct SDK client for baselines. Closing stops it.
 */
public final class S3ProxyServer implements AutoCloseable {
    private static final String ID = "bench-identity";
    private static final String SECRET = "bench-credential";

    /** {@code http://127.0.0.1:<port>}. */
    public final String endpoint;
    private final Process process;
    private final Path ownDir; // made by start(heap), deleted by close(); null for a caller's folder

    private S3ProxyServer(String endpoint, Process process, Path ownDir) {
        this.endpoint = endpoint;
        this.process = process;
        this.ownDir = ownDir;
    }

    /** Starts S3Proxy with {@code heap} (e.g. "512m"), its settings file in a temporary folder that {@link #close()} deletes. */
    public static S3ProxyServer start(String heap) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bigarrays-s3proxy");
        try {
            return start(dir, heap, dir);
        } catch (IOException | InterruptedException | RuntimeException e) {
            deleteSettings(dir);
            throw e;
        }
    }

    /** Starts S3Proxy with {@code heap} (e.g. "512m"), its settings file in {@code dir}, and waits until it listens. */
    public static S3ProxyServer start(Path dir, String heap) throws IOException, InterruptedException {
        return start(dir, heap, null);
    }

    private static S3ProxyServer start(Path dir, String heap, Path ownDir) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("bench.s3proxy.jar", "bench/target/s3proxy/s3proxy.jar"));
        if (!Files.isRegularFile(jar)) throw new IllegalStateException("S3Proxy jar not found at " + jar.toAbsolutePath() + "; set -Dbench.s3proxy.jar");
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String endpoint = "http://127.0.0.1:" + port;
        Path props = dir.resolve("s3proxy.properties");
        Files.writeString(props, "s3proxy.endpoint=" + endpoint + "\ns3proxy.authorization=aws-v2-or-v4\ns3proxy.identity=" + ID
                + "\ns3proxy.credential=" + SECRET + "\njclouds.provider=transient-nio2\njclouds.identity=" + ID + "\njclouds.credential=" + SECRET + "\n");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx" + heap, "-jar", jar.toString(),
                "--properties", props.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        for (int i = 0; i < 600; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                // BigArrays' S3 store takes its credentials and region from the SDK's defaults.
                System.setProperty("aws.accessKeyId", ID);
                System.setProperty("aws.secretAccessKey", SECRET);
                System.setProperty("aws.region", "us-east-1");
                return new S3ProxyServer(endpoint, p, ownDir);
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("S3Proxy did not start");
    }

    /** A plain SDK client for this server (the baselines' transport), with {@code maxConnections}. */
    public S3Client client(int maxConnections) {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoint)).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ID, SECRET)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .httpClientBuilder(ApacheHttpClient.builder().maxConnections(maxConnections))
                .build();
    }

    /** The SDK's environment variables for another process that reads this server through BigArrays' S3 store. */
    public java.util.Map<String, String> sdkEnvironment() {
        return java.util.Map.of("AWS_ACCESS_KEY_ID", ID, "AWS_SECRET_ACCESS_KEY", SECRET, "AWS_REGION", "us-east-1");
    }

    @Override
    public void close() {
        process.destroyForcibly();
        if (ownDir != null) {
            try {
                process.waitFor();
                deleteSettings(ownDir);
            } catch (IOException | InterruptedException e) {
                System.err.println("could not delete S3Proxy's folder " + ownDir + ": " + e);
            }
        }
    }

    private static void deleteSettings(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve("s3proxy.properties"));
        Files.deleteIfExists(dir);
    }
}
