package org.bigarrays.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bigarrays.cli.CliTest.Run;
import org.bigarrays.core.DataType;
import org.bigarrays.nativ.Jxl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code create}/{@code transcode --encoding jxl} and reading the layer back, in a subprocess. */
class JxlCliTest {
    @TempDir
    Path tmp;

    private static void assertExit(int code, Run r) {
        assertEquals(code, r.code(), () -> "exit code; stderr: " + r.stderr());
    }

    /** A uint8 .npy (Fortran order) of an EM-like pattern. */
    private static Path npy(Path file, long[] shape) throws Exception {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        Npy.writeHeader(bos, DataType.UINT8, shape);
        int n = (int) (shape[0] * shape[1] * shape[2]);
        for (int i = 0; i < n; i++) bos.write((int) (128 + 60 * Math.sin(i / 5.0) + (i * 37 % 11)));
        Files.write(file, bos.toByteArray());
        return file;
    }

    @Test
    void createWriteTranscodeAndReadJxl() throws Exception {
        String jxl = tmp.resolve("jxl").toString();
        assertExit(0, CliTest.cli("create", jxl, "--dtype", "uint8", "--size", "40,30,6", "--chunk", "16,16,4", "--encoding", "jxl"));
        String info = CliTest.cli("info", "--json", jxl).out();
        assertTrue(info.contains("\"jxl\"") && info.contains("\"jxl_quality\" : 100"), info);
        Path in = npy(tmp.resolve("in.npy"), new long[] {40, 30, 6});
        Run w = CliTest.cli("write", jxl, "--at", "0,0,0", in.toString());
        if (!Jxl.available()) {
            // No Java twin: one line naming libjxl, not a stack trace.
            assertFalse(w.code() == 0);
            assertTrue(w.stderr().contains("jxl needs libjxl (Debian: libjxl-dev / libjxl0.7)"), w.stderr());
            assertFalse(w.stderr().contains("\tat "), w.stderr());
            return;
        }
        assertExit(0, w);
        String raw = tmp.resolve("raw").toString();
        assertExit(0, CliTest.cli("create", raw, "--dtype", "uint8", "--size", "40,30,6", "--chunk", "16,16,4"));
        assertExit(0, CliTest.cli("write", raw, "--at", "0,0,0", in.toString()));
        Run expected = CliTest.cli("cutout", raw, "--box", "0,0,0:40,30,6", "-o", "-");
        assertExit(0, expected);
        Run lossless = CliTest.cli("cutout", jxl, "--box", "0,0,0:40,30,6", "-o", "-");
        assertExit(0, lossless);
        assertArrayEquals(expected.stdout(), lossless.stdout(), "lossless jxl reads back exactly");
        String lossy = tmp.resolve("lossy").toString();
        assertExit(0, CliTest.cli("transcode", raw, lossy, "--encoding", "jxl", "--jxl-quality", "90"));
        assertTrue(CliTest.cli("info", "--json", lossy).out().contains("\"jxl_quality\" : 90"));
        String summary = CliTest.cli("info", lossy).out();
        assertTrue(summary.contains("jxl (quality 90)"), summary);
        assertTrue(CliTest.cli("info", jxl).out().contains("jxl (lossless)"));
        Run l = CliTest.cli("cutout", lossy, "--box", "0,0,0:40,30,6", "-o", "-");
        assertExit(0, l);
        assertEquals(expected.stdout().length, l.stdout().length);
        // uint16 cannot be stored as jxl: bad input.
        assertExit(2, CliTest.cli("create", tmp.resolve("bad").toString(), "--dtype", "uint16", "--size", "4,4,4", "--chunk", "4,4,4", "--encoding", "jxl"));
    }
}
