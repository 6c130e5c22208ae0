package org.bigarrays.kvstore.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.JobRecord;
import org.bigarrays.array.Options;
import org.bigarrays.array.Transcode;
import org.bigarrays.codec.Compression;
import org.bigarrays.kvstore.ArrayRoundTrip;
import org.bigarrays.kvstore.KeyValueStore;
import org.bigarrays.kvstore.KeyValueStores;
import org.bigarrays.kvstore.ReadResult;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A transcode into s3:// (the real local S3 server) killed with SIGKILL at random points: before
 * the rerun the destination has no info (nothing opens as finished); the rerun resumes, and the
 * bucket then holds exactly what an uninterrupted transcode wrote, object for object, and no record.
 */
class S3InterruptedJobTest {
    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3ProxyServer.get();
        server.createBucket("jobs");
    }

    private String url(String prefix) {
        return "s3://jobs/" + prefix + "?endpoint=" + server.endpoint();
    }

    @Test
    void transcodeToS3KilledAnywhereResumesToTheSameObjects() throws Exception {
        ArrayRoundTrip rt = new ArrayRoundTrip(new long[] {192, 192, 64}, 9);
        String src = url("src");
        rt.createAndWrite(src, 16, Options.defaults()).close();
        String ref = url("ref");
        Transcode.run(src, ref, null, null, Options.defaults().withCompression(Compression.GZIP), false);
        Random random = new Random(11);
        int interrupted = 0;
        for (int attempt = 0; attempt < 2; attempt++) {
            String dst = url("dst" + attempt);
            KeyValueStore d = KeyValueStores.open(dst);
            int code = transcodeInSubprocess(src, dst, d, random.nextInt(400));
            if (code != 0) {
                assertEquals(137, code);
                interrupted++;
                if (!d.exists("info")) {
                    InvalidInputException e = assertThrows(InvalidInputException.class, () -> BigArray.open(dst).close());
                    assertTrue(e.getMessage().contains("found neither a precomputed 'info'"), e.getMessage());
                }
                Transcode.run(src, dst, null, null, Options.defaults().withCompression(Compression.GZIP), false);
            }
            assertSameObjects(KeyValueStores.open(ref), d);
            assertEquals(List.of(), d.list(JobRecord.DIR), "no job record left");
        }
        assertTrue(interrupted > 0, "no transcode was caught mid-job");
    }

    private static void assertSameObjects(KeyValueStore want, KeyValueStore got) {
        List<String> keys = want.list("");
        assertEquals(keys, got.list(""), "the same objects");
        assertTrue(keys.size() > 100, "chunks were written: " + keys.size());
        for (String k : keys) {
            try (ReadResult a = want.read(k); ReadResult b = got.read(k)) {
                assertArrayEquals(a.toByteArray(), b.toByteArray(), k);
            }
        }
    }

    /** {@link TranscodeMain} in a new JVM, SIGKILLed {@code afterMs} after its job record appears in {@code d}; its exit code. */
    private static int transcodeInSubprocess(String src, String dst, KeyValueStore d, long afterMs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Daws.accessKeyId=" + S3ProxyServer.IDENTITY,
                "-Daws.secretAccessKey=" + S3ProxyServer.CREDENTIAL, "-Daws.region=" + S3ProxyServer.REGION,
                "-cp", System.getProperty("java.class.path"), TranscodeMain.class.getName(), src, dst));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        // Kill it mid-job: once it has recorded itself (it cannot finish before: 576 chunks take longer).
        for (int i = 0; i < 3000 && p.isAlive() && !d.exists(JobRecord.RECORD_KEY); i++) Thread.sleep(10);
        if (!p.waitFor(afterMs, TimeUnit.MILLISECONDS)) p.destroyForcibly();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the transcode did not end");
        return p.exitValue();
    }

    /** A gzip transcode SRC -> DST, as the CLI runs it. */
    public static final class TranscodeMain {
        public static void main(String[] args) {
            Transcode.run(args[0], args[1], null, null, Options.defaults().withCompression(Compression.GZIP), false);
        }
    }
}
