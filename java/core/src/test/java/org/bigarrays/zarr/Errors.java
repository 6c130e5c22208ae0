package org.bigarrays.zarr;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.bigarrays.FormatException;
import org.junit.jupiter.api.function.Executable;

/** Test helpers: the one-line errors the metadata gives, and the documents under {@code /zarr/}. */
final class Errors {
    private Errors() {}

    /**
     * Runs {@code run}, which must throw a {@link FormatException} of one line containing each of
     * {@code parts} (the member's name, what was expected, what was found).
     */
    static FormatException oneLine(Executable run, String... parts) {
        FormatException e = assertThrows(FormatException.class, run);
        String m = e.getMessage();
        assertFalse(m.contains("\n") || m.contains("\r"), "one line: " + m);
        for (String p : parts) assertTrue(m.contains(p), "'" + p + "' in: " + m);
        return e;
    }

    static byte[] resource(String name) {
        try (InputStream in = Errors.class.getResourceAsStream("/zarr/" + name)) {
            if (in == null) throw new IllegalStateException("no test resource /zarr/" + name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
