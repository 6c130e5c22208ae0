package org.bigarrays.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs {@link Main#run} in this JVM with stdout and stderr captured: the same code path as the
 * {@code bigarrays} launcher minus {@code System.exit}, at a fraction of a subprocess's cost.
 */
final class InProcess {
    private InProcess() {}

    record Run(int code, byte[] stdout, String stderr, String args) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        /** Exit {@code code}, and stderr exactly one line that contains every one of {@code names}. */
        Run failsWith(int code, String... names) {
            assertEquals(code, this.code, () -> args + " -> exit " + this.code + ", stderr: " + stderr);
            String[] lines = stderr.split("\n", -1);
            assertEquals(2, lines.length, () -> args + ": stderr should be one line: " + stderr);
            assertEquals("", lines[1]);
            assertTrue(stderr.startsWith("bigarrays: "), stderr);
            assertFalse(stderr.contains("\tat "), stderr);
            for (String n : names) assertTrue(stderr.contains(n), () -> args + ": stderr should name '" + n + "': " + stderr);
            return this;
        }

        Run ok() {
            assertEquals(0, code, () -> args + " -> exit " + code + ", stderr: " + stderr);
            return this;
        }
    }

    static synchronized Run run(String... args) {
        PrintStream out0 = System.out;
        PrintStream err0 = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8); PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            System.setErr(e);
            code = Main.run(args);
        } finally {
            System.setOut(out0);
            System.setErr(err0);
        }
        return new Run(code, out.toByteArray(), err.toString(StandardCharsets.UTF_8), "bigarrays " + String.join(" ", args));
    }
}
