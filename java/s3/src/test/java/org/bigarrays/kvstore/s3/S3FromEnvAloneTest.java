package org.bigarrays.kvstore.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.junit.jupiter.api.Test;

/**
 * {@code KeyValueStores.open("s3://bucket/path")} with nothing but the usual AWS environment
 * variables (as a CLI run would have): a fresh JVM, no system properties, no URL parameters.
 */
class S3FromEnvAloneTest {
    /** Run in the child JVM: write a key, read it back, print it. */
    public static void main(String[] args) {
        KeyValueStore s = KeyValueStores.open(args[0]);
        s.write("hello", MemorySegment.ofArray("from env".getBytes(StandardCharsets.UTF_8)));
        System.out.println("READ:" + new String(s.read("hello").toByteArray(), StandardCharsets.UTF_8));
    }

    @Test
    void endpointCredentialsAndRegionFromEnvironmentOnly() throws Exception {
        S3ProxyServer server = S3ProxyServer.get();
        server.createBucket("envbucket");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, S3FromEnvAloneTest.class.getName(), "s3://envbucket/layer")
                .redirectErrorStream(true);
        var env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("AWS_"));
        env.put("AWS_ENDPOINT_URL", server.endpoint());
        env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.IDENTITY);
        env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.CREDENTIAL);
        env.put("AWS_REGION", S3ProxyServer.REGION);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("READ:from env"), out);
        // And it really is in the bucket, seen from this JVM.
        assertEquals("from env", new String(KeyValueStores.open("s3://envbucket/layer?endpoint=" + server.endpoint())
                .read("hello").toByteArray(), StandardCharsets.UTF_8));
    }
}
