package org.bigarrays.bench.harness;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;

/**
 * BigArrays through its command line: every read is one {@code bigarrays cutout} invocation (a
 * new JVM, with the launcher's start-up cache), the way a batch service that shells out or a user
 * at a terminal pays for a cutout. Writes go through the library ({@link BigArraysPeer}).
 */
final class CliPeer implements Peer {
    private final Path launcher = findLauncher();

    @Override
    public boolean supports(SideBySide.Case c) {
        return launcher != null;
    }

    @Override
    public void write(Path dir, NdView volume, SideBySide.Case c) {
        new BigArraysPeer().write(dir, volume, c);
    }

    @Override
    public Reader open(Path dir, SideBySide.Case c) throws IOException {
        Path out = Files.createTempFile("bigarrays-cli-cutout", ".raw");
        return new Reader() {
            @Override
            public void read(Box box, NdView into) throws Exception {
                List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "cutout", dir.toUri().toString(),
                        "--box", box.min(0) + "," + box.min(1) + "," + box.min(2) + ":" + box.max(0) + "," + box.max(1) + "," + box.max(2),
                        "--threads", Integer.toString(c.threads()), "-o", out.toString()));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                int rc = p.waitFor();
                if (rc != 0) throw new IllegalStateException("bigarrays cutout exited " + rc + ": " + String.join(" ", cmd));
                byte[] got = Files.readAllBytes(out);
                if (got.length != into.byteSize()) throw new IllegalStateException("bigarrays cutout wrote " + got.length + " bytes, expected " + into.byteSize());
                MemorySegment.copy(MemorySegment.ofArray(got), 0, into.segment(), 0, got.length);
            }

            @Override
            public void close() throws IOException {
                Files.deleteIfExists(out);
            }
        };
    }

    /** The repository's {@code bigarrays} launcher above the benchmark jar, or null when run elsewhere. */
    static Path findLauncher() {
        try {
            Path p = Path.of(CliPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
            for (; p != null; p = p.getParent()) {
                Path l = p.resolve("bigarrays");
                if (Files.isRegularFile(l) && Files.isExecutable(l) && Files.exists(p.resolve("pom.xml"))) return l;
            }
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
        return null;
    }
}
