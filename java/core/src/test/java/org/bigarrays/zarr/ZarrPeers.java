package org.bigarrays.zarr;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The independent Zarr implementations the interop tests compare against: Debian's python3-zarr
 * (Zarr v2) and npm zarrita (Zarr v3), run as programs from {@code java/core/src/test/zarr-peers}
 * (its README states what they write and the manifest's format). {@link #get()} installs them
 * once per JVM with {@code scripts/zarr-peers.sh}; where that cannot be done it skips the calling
 * test, saying why, unless {@code BIGARRAYS_REQUIRE_ZARR_PEERS=1} (CI sets it), where it fails.
 */
public final class ZarrPeers {
    /** Set by .ci/run: missing peers fail the tests instead of skipping them. */
    public static final String REQUIRE_ENV = "BIGARRAYS_REQUIRE_ZARR_PEERS";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long PROGRAM_TIMEOUT_S = 120;
    private static final long INSTALL_TIMEOUT_S = 600;
    private static final Object LOCK = new Object();
    private static ZarrPeers installed;
    private static String installFailure;

    private final Path checkout;
    private final Path programs;

    private ZarrPeers(Path checkout) {
        this.checkout = checkout;
        this.programs = checkout.resolve("java/core/src/test/zarr-peers");
    }

    /** What a peer program did: its exit status and what it printed. */
    public record Run(List<String> command, int exitCode, String stdout, String stderr) {
        /** The command, exit status and stderr, for failure messages. */
        public String describe() {
            return String.join(" ", command) + " exited " + exitCode + (stderr.isBlank() ? "" : ": " + stderr.strip());
        }
    }

    /**
     * The installed peers, installing them on first use. Skips the calling test (a JUnit
     * assumption) when they cannot be installed here, or fails it where {@value #REQUIRE_ENV} is 1.
     */
    public static ZarrPeers get() {
        synchronized (LOCK) {
            if (installed == null && installFailure == null) install();
            if (installFailure != null) {
                if ("1".equals(System.getenv(REQUIRE_ENV))) throw new AssertionError(installFailure + " (" + REQUIRE_ENV + "=1: required)");
                assumeTrue(false, installFailure + ": Zarr interop tests skipped (CI requires them)");
            }
            return installed;
        }
    }

    private static void install() {
        Path checkout = checkout();
        if (checkout == null) {
            installFailure = "no checkout with scripts/zarr-peers.sh above " + Path.of("").toAbsolutePath();
            return;
        }
        Run r = run(List.of("bash", checkout.resolve("scripts/zarr-peers.sh").toString()), checkout, INSTALL_TIMEOUT_S);
        if (r.exitCode() != 0) installFailure = "the Zarr peers could not be installed: " + r.describe();
        else installed = new ZarrPeers(checkout);
    }

    /** The checkout: $bigarrays.checkout, else the nearest folder above the working folder with scripts/zarr-peers.sh. */
    private static Path checkout() {
        String p = System.getProperty("bigarrays.checkout");
        if (p != null) return Path.of(p).toAbsolutePath().normalize();
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/zarr-peers.sh"))) return d;
        }
        return null;
    }

    /** python3-zarr writes its Zarr v2 arrays into {@code dir} (absent or empty); returns the manifest. */
    public JsonNode writeV2(Path dir) {
        return writeWith(List.of(python(), programs.resolve("write_v2.py").toString(), dir.toString()), dir);
    }

    /** zarrita writes its Zarr v3 arrays and OME-Zarr group into {@code dir} (absent or empty); returns the manifest. */
    public JsonNode writeV3(Path dir) {
        return writeWith(List.of(node(), programs.resolve("write-v3.mjs").toString(), dir.toString()), dir);
    }

    /**
     * python3-zarr reads the Zarr v2 array at {@code arrayPath} under {@code root}; the JSON it
     * prints (shape, dtype, chunks, order, compressor, fill_value, sha256, samples; values with
     * {@code --values}; more samples with {@code --at i,j,k}). Fails the test if it cannot read it.
     */
    public JsonNode readV2(Path root, String arrayPath, String... options) {
        return parse(readV2Run(root, arrayPath, options));
    }

    /** As {@link #readV2}, but returns the run whatever its outcome (for tests that expect a refusal). */
    public Run readV2Run(Path root, String arrayPath, String... options) {
        List<String> cmd = new ArrayList<>(List.of(python(), programs.resolve("read_v2.py").toString(), root.toString(), arrayPath));
        cmd.addAll(List.of(options));
        return run(cmd, checkout, PROGRAM_TIMEOUT_S);
    }

    /**
     * zarrita reads the Zarr v3 array at {@code arrayPath} under {@code root} (sharded ones
     * included; crc32c checked); the JSON it prints (shape, data_type, chunk_shape, sharding,
     * fill_value, dimension_names, codecs, attributes, sha256, samples; values with
     * {@code --values}; more samples with {@code --at i,j,k}). Fails the test if it cannot read it.
     */
    public JsonNode readV3(Path root, String arrayPath, String... options) {
        return parse(readV3Run(root, arrayPath, options));
    }

    /** As {@link #readV3}, but returns the run whatever its outcome (for tests that expect a refusal). */
    public Run readV3Run(Path root, String arrayPath, String... options) {
        List<String> cmd = new ArrayList<>(List.of(node(), programs.resolve("read-v3.mjs").toString(), root.toString(), arrayPath));
        cmd.addAll(List.of(options));
        return run(cmd, checkout, PROGRAM_TIMEOUT_S);
    }

    /**
     * zarrita opens the Zarr v3 group at {@code groupPath} under {@code root}; the JSON it prints
     * ({@code node_type}, {@code attributes} as zarrita parsed them). Fails the test if it cannot.
     */
    public JsonNode readGroupV3(Path root, String groupPath) {
        return parse(run(List.of(node(), programs.resolve("read-group-v3.mjs").toString(), root.toString(), groupPath), checkout, PROGRAM_TIMEOUT_S));
    }

    private JsonNode writeWith(List<String> cmd, Path dir) {
        Run r = run(cmd, checkout, PROGRAM_TIMEOUT_S);
        if (r.exitCode() != 0) throw new AssertionError(r.describe());
        try {
            return JSON.readTree(dir.resolve("manifest.json").toFile());
        } catch (IOException e) {
            throw new AssertionError("no readable manifest.json in " + dir + " after " + r.describe(), e);
        }
    }

    private static JsonNode parse(Run r) {
        if (r.exitCode() != 0) throw new AssertionError(r.describe());
        try {
            return JSON.readTree(r.stdout());
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", r.command()) + " printed no JSON: " + r.stdout(), e);
        }
    }

    /** Debian's interpreter, the one python3-zarr is installed for (a python3 earlier on PATH may be another). */
    private static String python() {
        return "/usr/bin/python3";
    }

    private static String node() {
        return "node";
    }

    /** Runs {@code cmd} in {@code dir}; kills it and fails after {@code timeoutS} seconds. */
    static Run run(List<String> cmd, Path dir, long timeoutS) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).directory(dir.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            return new Run(cmd, -1, "", "could not start: " + e.getMessage());
        }
        AtomicReference<String> out = new AtomicReference<>("");
        AtomicReference<String> err = new AtomicReference<>("");
        Thread o = Thread.ofVirtual().start(() -> out.set(drain(p.getInputStream())));
        Thread e = Thread.ofVirtual().start(() -> err.set(drain(p.getErrorStream())));
        try {
            if (!p.waitFor(timeoutS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                o.join();
                e.join();
                throw new AssertionError(String.join(" ", cmd) + " ran over " + timeoutS + " s and was killed; stderr: " + err.get().strip());
            }
            o.join();
            e.join();
        } catch (InterruptedException ie) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", cmd), ie);
        }
        return new Run(cmd, p.exitValue(), out.get(), err.get());
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
