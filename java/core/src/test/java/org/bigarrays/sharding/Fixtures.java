package org.bigarrays.sharding;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Assumptions;

/** Loads the shared interop fixtures (skipping the test, with a message, when the folder is absent). */
final class Fixtures {
    private Fixtures() {}

    static Path dir() {
        // The build passes the path; when run from another directory, look next to the checkout too.
        Path d = Path.of(System.getProperty("bigarrays.fixtures", "../shared/fixtures"));
        for (String alt : new String[] {"../shared/fixtures", "../../shared/fixtures"}) {
            if (!Files.isDirectory(d)) d = Path.of(alt);
        }
        Assumptions.assumeTrue(Files.isDirectory(d), "fixtures folder " + d.toAbsolutePath() + " is absent");
        return d;
    }

    static JsonNode json(String rel) {
        try {
            return new ObjectMapper().readTree(dir().resolve(rel).toFile());
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static byte[] bytes(String rel) {
        try {
            return Files.readAllBytes(dir().resolve(rel));
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    /** "0x1f", "31" or a JSON number as a long. */
    static long num(JsonNode n) {
        if (n.isNumber()) return n.asLong();
        String s = n.asText();
        return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseUnsignedLong(s);
    }
}
