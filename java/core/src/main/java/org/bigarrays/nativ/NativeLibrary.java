package org.bigarrays.nativ;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds and loads {@code libbigarrays}, once per process. The library ships inside the jar
 * under {@code /native/<os>/<arch>/}; it is extracted to a temporary file and loaded from
 * there. Loading never fails the caller: on any problem {@link #status()} says why, naming
 * every path tried, and the Java kernels are used.
 *
 * <p>Disabled (not even looked for) with {@code -Dbigarrays.native=false} or the environment
 * variable {@code BIGARRAYS_NATIVE=0}. {@code -Dbigarrays.native.library=/path/libbigarrays.so}
 * loads that file instead of the one in the jar.
 */
public final class NativeLibrary {
    /** The ABI version this Java code was written against ({@code BA_VERSION} in bigarrays.h). */
    static final int EXPECTED_VERSION = 1;

    private record State(SymbolLookup lookup, String status) {}

    private static final State STATE = load();

    private NativeLibrary() {}

    /**
     * {@code loaded (<path>)}, {@code unavailable (<reason>)} or {@code disabled}: the line the
     * CLI prints after {@code native kernels: }.
     */
    public static String status() {
        return STATE.status();
    }

    /** Whether the native library loaded and has the expected version. */
    public static boolean isLoaded() {
        return STATE.lookup() != null;
    }

    /**
     * The loaded library's symbols, for binding further native functions (e.g. codecs) with
     * {@link Linker#downcallHandle}. Empty when the library did not load. Internal API.
     */
    public static Optional<SymbolLookup> symbols() {
        return Optional.ofNullable(STATE.lookup());
    }

    /** Whether configuration turns native code off: {@code -Dbigarrays.native=false} or {@code BIGARRAYS_NATIVE=0}. */
    public static boolean disabledByConfiguration() {
        String prop = System.getProperty("bigarrays.native");
        String env = System.getenv("BIGARRAYS_NATIVE");
        return "false".equalsIgnoreCase(prop) || "0".equals(prop) || "0".equals(env) || "false".equalsIgnoreCase(env);
    }

    /** The folder name for this OS and CPU, e.g. {@code linux/x86_64}, or null when no build exists for it. */
    static String platformFolder() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("linux") ? "linux" : null;
        String a = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> null;
        };
        return o == null || a == null ? null : o + "/" + a;
    }

    private static State load() {
        if (disabledByConfiguration()) return new State(null, "disabled");
        List<String> tried = new ArrayList<>();
        String explicit = System.getProperty("bigarrays.native.library");
        if (explicit != null && !explicit.isBlank()) {
            State s = tryLoad(Path.of(explicit), tried);
            if (s != null) return s;
        }
        String folder = platformFolder();
        if (folder == null) {
            tried.add("no native build for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
        } else {
            String resource = "/native/" + folder + "/libbigarrays.so";
            try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
                if (in == null) {
                    tried.add("classpath:" + resource + ": not found (native build skipped?)");
                } else {
                    Path tmp = Files.createTempFile("libbigarrays-", ".so");
                    tmp.toFile().deleteOnExit();
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                    State s = tryLoad(tmp, tried);
                    if (s != null) return s;
                }
            } catch (IOException | RuntimeException e) {
                tried.add("classpath:" + resource + ": cannot extract: " + e);
            }
        }
        return new State(null, "unavailable (" + String.join("; ", tried) + ")");
    }

    /** Load one candidate and check its version; null (with the reason in {@code tried}) on failure. */
    private static State tryLoad(Path path, List<String> tried) {
        try {
            SymbolLookup lookup = SymbolLookup.libraryLookup(path, Arena.global());
            MethodHandle version = Linker.nativeLinker().downcallHandle(
                    lookup.findOrThrow("ba_version"), FunctionDescriptor.of(ValueLayout.JAVA_INT));
            int v = (int) version.invokeExact();
            if (v != EXPECTED_VERSION) {
                tried.add(path + ": version " + v + ", expected " + EXPECTED_VERSION);
                return null;
            }
            return new State(lookup, "loaded (" + path + ")");
        } catch (Throwable t) { // an IllegalCallerException (no native access) included: never fatal
            tried.add(path + ": " + t);
            return null;
        }
    }
}
