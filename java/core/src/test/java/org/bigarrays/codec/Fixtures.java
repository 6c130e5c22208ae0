package org.bigarrays.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Assumptions;

/** Test helpers: the shared fixtures folder, JSON, hex. */
final class Fixtures {
    private Fixtures() {}

    static Path dir() {
        Path p = Path.of(System.getProperty("bigarrays.fixtures", "../../shared/fixtures"));
        Assumptions.assumeTrue(Files.isDirectory(p), "fixtures folder " + p + " is absent");
        return p;
    }

    static JsonNode json(String rel) throws IOException {
        return new ObjectMapper().readTree(dir().resolve(rel).toFile());
    }

    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    static String hex(MemorySegment s) {
        return HexFormat.of().formatHex(s.toArray(ValueLayout.JAVA_BYTE));
    }

    static long[] longs(JsonNode a) {
        long[] r = new long[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asLong();
        return r;
    }

    static int[] ints(JsonNode a) {
        int[] r = new int[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = a.get(i).asInt();
        return r;
    }

    /** Labels as little-endian uint32 or uint64 bytes. */
    static MemorySegment labels(long[] v, int wordsPerValue) {
        MemorySegment s = MemorySegment.ofArray(new byte[v.length * 4 * wordsPerValue]);
        for (int i = 0; i < v.length; i++) {
            if (wordsPerValue == 1) s.set(ValueLayout.JAVA_INT_UNALIGNED, 4L * i, (int) v[i]);
            else s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L * i, v[i]);
        }
        return s;
    }
}
