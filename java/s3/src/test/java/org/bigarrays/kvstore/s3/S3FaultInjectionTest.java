package org.bigarrays.kvstore.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.bigarrays.StorageException;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.array.Options;
import org.bigarrays.kvstore.ArrayRoundTrip;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadResult;
import org.bigarrays.kvstore.remote.FaultProxy;
import org.bigarrays.kvstore.remote.FaultProxy.Fault;
import org.bigarrays.kvstore.remote.RemoteSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * S3 through a proxy that drops connections, answers 500/503/429, stalls and truncates bodies:
 * cutouts still return exactly the right voxels, writes land completely or throw, 401/403 is an
 * error at once, and retries stay bounded (the proxy counts every request).
 */
class S3FaultInjectionTest {
    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.get();
        server.createBucket("faults");
    }

    // Timeouts well above a loaded machine's response times, so that only injected faults fail attempts.
    private static String url(FaultProxy p, String path, int attempts, int timeoutMs) {
        return "s3://faults/" + path + "?endpoint=" + p.endpoint() + "&timeoutMs=" + timeoutMs + "&backoffMs=10&attempts=" + attempts;
    }

    @Test
    void cutoutsAndWritesSurviveAllKindsOfFaultsWithBoundedRequests() throws Exception {
        // 8 tries at a 15% fault rate: a request fails for good with probability 0.15^8 ≈ 3e-7.
        try (FaultProxy proxy = new FaultProxy(server.port(), 0.15, List.of(Fault.values()), Duration.ofMillis(3500), 7)) {
            String url = url(proxy, "mixed", 8, 3000);
            ArrayRoundTrip rt = new ArrayRoundTrip(new long[] {256, 256, 128}, 11);
            long chunks = 4 * 4 * 2;
            try (BigArray a = rt.createAndWrite(url, 64, Options.defaults())) {
                Box[] boxes = rt.boxes();
                for (Box b : boxes) rt.assertReads(a, b);
                // What the requests would be with no faults: info exists + info PUT, one PUT per chunk,
                // one GET per chunk each box touches.
                long touched = 0;
                for (Box b : boxes) touched += touchedChunks(b, 64);
                long logical = 2 + chunks + touched;
                long sent = proxy.requests();
                assertTrue(proxy.faultsInjected() > 0, "no faults were injected: the test proves nothing");
                assertTrue(sent >= logical, "fewer requests (" + sent + ") than operations (" + logical + ")");
                // Expected ≈ logical / (1 - 0.15) ≈ 1.18 × logical; a retry storm would be a multiple.
                assertTrue(sent <= 2 * logical + 10, "retry storm: " + sent + " requests for " + logical + " operations, faults " + proxy.injectedByKind());
            }
            // Every chunk landed whole: compare with a direct (fault-free) connection to the server.
            try (BigArray direct = BigArray.open("s3://faults/mixed?endpoint=" + server.endpoint())) {
                rt.assertReads(direct, Box.of(new long[] {0, 0, 0}, rt.size.clone()));
            }
        }
    }

    private static long touchedChunks(Box b, long chunk) {
        long n = 1;
        for (int i = 0; i < 3; i++) n *= Math.floorDiv(b.max(i) - 1, chunk) - Math.floorDiv(b.min(i), chunk) + 1;
        return n;
    }

    @Test
    void persistentFailureGivesUpAfterExactlyTheConfiguredAttempts() throws Exception {
        try (FaultProxy proxy = new FaultProxy(server.port(), 1.0, List.of(Fault.STATUS_503), Duration.ZERO, 1)) {
            KeyValueStore s = KeyValueStores.open(url(proxy, "down", 6, 3000));
            var read = assertThrows(StorageException.class, () -> s.read("info"));
            assertTrue(read.getMessage().contains("gave up after 6 attempts"), read.getMessage());
            assertEquals(6, proxy.requests());
            // A write that cannot happen is an error, never silent success.
            var write = assertThrows(StorageException.class, () -> s.write("k", MemorySegment.ofArray(new byte[] {1})));
            assertEquals("write", write.operation());
            assertEquals(12, proxy.requests());
        }
    }

    @Test
    void eachFaultKindAloneIsRetriedAndTheReadIsExact() throws Exception {
        byte[] value = new byte[200_000];
        new java.util.Random(5).nextBytes(value);
        KeyValueStores.open("s3://faults/kinds?endpoint=" + server.endpoint()).write("v", MemorySegment.ofArray(value));
        for (Fault f : Fault.values()) {
            // Rate 0.5 of one kind: each read ends with the right bytes, or the test names the kind.
            // Stalls cost a client timeout each, so fewer reads for them.
            int reads = f == Fault.STALL ? 3 : 10;
            int timeoutMs = f == Fault.STALL ? 2000 : 5000;
            try (FaultProxy proxy = new FaultProxy(server.port(), 0.5, List.of(f), Duration.ofMillis(timeoutMs + 500), f.ordinal())) {
                KeyValueStore s = KeyValueStores.open(url(proxy, "kinds", 12, timeoutMs));
                for (int i = 0; i < reads; i++) {
                    ReadResult r = s.read("v");
                    assertTrue(Arrays.equals(value, r.toByteArray()), "wrong bytes after fault " + f);
                }
                assertTrue(proxy.injectedByKind().get(f) > 0, "fault " + f + " never injected");
                assertEquals(reads + proxy.faultsInjected(), proxy.requests(), "one retry per injected fault for " + f);
            }
        }
    }

    @Test
    void accessDeniedIsAnErrorAtOnceNeverMissing() throws Exception {
        try (FaultProxy proxy = new FaultProxy(server.port(), 0, List.of(Fault.STATUS_500), Duration.ZERO, 1);
             S3Client wrongKey = S3Client.builder()
                     .endpointOverride(URI.create(proxy.endpoint()))
                     .forcePathStyle(true)
                     .region(Region.US_EAST_1)
                     .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyServer.IDENTITY, "wrong-secret")))
                     .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                     .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                     .build()) {
            S3Store s = new S3Store(wrongKey, "faults", "denied", "s3://faults/denied/", RemoteSettings.defaults());
            var e = assertThrows(StorageException.class, () -> s.read("absent-key"));
            assertTrue(e.getMessage().contains("access denied (HTTP 403)"), e.getMessage());
            assertEquals(1, proxy.requests(), "a 403 must not be retried");
            assertThrows(StorageException.class, () -> s.exists("absent-key"));
            assertThrows(StorageException.class, () -> s.write("k", MemorySegment.ofArray(new byte[1])));
        }
    }
}
