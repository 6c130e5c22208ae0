package org.bigarrays.nativ;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native libraries BigArrays calls through FFM, each found and loaded once per process, on
 * first use: our own {@code libbigarrays} (shipped in the jar under {@code /native/<os>/<arch>/})
 * and the system's libdeflate, libzstd, TurboJPEG, blosc and libjxl. Loading never fails the caller: when a
 * library cannot load, one SLF4J warning names the fix, {@link #status()} says why, and the Java
 * twin is used (blosc and libjxl have none: their codecs then raise an error saying so).
 *
 * <p>One switch turns every native path off: {@code -Dbigarrays.native=false} or the environment
 * variable {@code BIGARRAYS_NATIVE=0} (this also makes lz4-java use its pure-Java instance, see
 * {@link Lz4}). Per-library settings win over it, in either direction:
 * {@code -Dbigarrays.native.libdeflate=false} or {@code BIGARRAYS_NATIVE_LIBDEFLATE=0} (likewise
 * {@code bigarrays}, {@code turbojpeg}, {@code blosc}, {@code libjxl}, {@code lz4}).
 * {@code -Dbigarrays.native.library=/path/libbigarrays.so} loads that file instead of the jar's.
 *
 * <p>zstd runs through the system's libzstd; when that is off or missing, through zstd-jni (its
 * twin, a JNI library it loads itself, not governed by the switch: zstd has no pure-Java twin).
 */
public enum NativeLibrary {
    /** libbigarrays: the copy kernels and the compressed_segmentation codec. */
    BIGARRAYS("bigarrays", null, "the Java kernels",
            "rebuild with cmake and gcc installed (mvn package), or point -Dbigarrays.native.library at a libbigarrays.so"),
    /** libdeflate: gzip. */
    LIBDEFLATE("libdeflate", "libdeflate.so.0", "java.util.zip", "install libdeflate0 (Debian/Ubuntu) or libdeflate (Fedora, Homebrew)"),
    /** libzstd: zstd, with per-call contexts reused and no copies. */
    LIBZSTD("libzstd", "libzstd.so.1", "zstd-jni", "install libzstd1 (Debian/Ubuntu) or libzstd (Fedora)"),
    /** TurboJPEG 2 API: jpeg. */
    TURBOJPEG("turbojpeg", "libturbojpeg.so.0", "ImageIO", "install libturbojpeg0 (Debian/Ubuntu) or turbojpeg (Fedora)"),
    /** blosc 1: BigArrays.jl's blosclz encoding. */
    BLOSC("blosc", "libblosc.so.1", null, "install libblosc1 (Debian/Ubuntu) or blosc (Fedora)"),
    /** libjxl 0.7 (the decode/encode API of {@code libjxl.so.0.7}): jxl. No Java twin. */
    LIBJXL("libjxl", "libjxl.so.0.7", null, "install libjxl0.7 (Debian: libjxl-dev / libjxl0.7)");

    /** The ABI version this Java code was written against ({@code BA_VERSION} in bigarrays.h). */
    static final int EXPECTED_VERSION = 5;

    /** The logger, made on first use: starting SLF4J costs a one-chunk cutout ~20 ms. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(NativeLibrary.class);
    }

    private record State(SymbolLookup lookup, String status) {}

    private final String key;
    private final String systemName;
    private final String javaTwin;
    private final String fix;
    private volatile State state;

    NativeLibrary(String key, String systemName, String javaTwin, String fix) {
        this.key = key;
        this.systemName = systemName;
        this.javaTwin = javaTwin;
        this.fix = fix;
    }

    /** The name in the per-library settings: {@code bigarrays.native.<key>}, {@code BIGARRAYS_NATIVE_<KEY>}. */
    public String key() {
        return key;
    }

    /** What is used when this library is off or missing, or null when there is no Java twin (blosc). */
    public String javaTwin() {
        return javaTwin;
    }

    /**
     * {@code loaded (<path or name>)}, {@code unavailable (<reason>)} or {@code disabled (<setting>)}:
     * what {@code bigarrays version} prints for this library.
     */
    public String status() {
        return state().status();
    }

    /** Whether the library loaded (and, for libbigarrays, has the expected ABI version). */
    public boolean isLoaded() {
        return state().lookup() != null;
    }

    /** Whether configuration turns this library off (the global switch or its own setting). */
    public boolean disabledByConfiguration() {
        return !enabled(key);
    }

    /** The loaded library's symbols. Empty when it did not load. */
    Optional<SymbolLookup> symbols() {
        return Optional.ofNullable(state().lookup());
    }

    /**
     * The handles of a binding, or why there are none: {@code error} is null when linked, else one
     * line (the library's status when it is off or missing, or the function it lacks).
     */
    record Linked<T>(T handles, String error) {}

    /**
     * Links a binding's functions, all or none, with {@code link}; the one link step of every
     * binding class. When the library loaded but lacks a function, one warning names it, what
     * {@code what} then does, and the fix ({@code needs}); a library that did not load was
     * already reported by the loader.
     *
     * @param what the format or kernel the binding serves, e.g. {@code "gzip"}
     * @param needs the version the binding's functions need, e.g. {@code "libdeflate 1.0 or newer"}
     */
    <T> Linked<T> link(String what, String needs, java.util.function.Function<Downcalls, T> link) {
        SymbolLookup lookup = state().lookup();
        if (lookup == null) {
            return new Linked<>(null, javaTwin == null ? unavailableMessage(what) : what + " uses " + javaTwin + ": " + systemName + " is " + status());
        }
        try {
            return new Linked<>(link.apply(new Downcalls(lookup)), null);
        } catch (RuntimeException | LinkageError e) { // NoSuchElementException: an older library without the function
            String library = systemName == null ? "libbigarrays" : systemName;
            String error = library + " lacks a function (" + e.getMessage() + "); " + what
                    + (javaTwin == null ? " cannot be read or written" : " uses " + javaTwin) + ". Fix: install " + needs;
            Log.LOG.warn(error);
            return new Linked<>(null, error);
        }
    }

    /** The error to raise when a library without a Java twin is needed but off or missing. */
    String unavailableMessage(String what) {
        String remedy = disabledByConfiguration()
                ? "turn it on for this library alone with BIGARRAYS_NATIVE_" + key.toUpperCase(Locale.ROOT) + "=1 or -Dbigarrays.native." + key + "=true"
                : fix;
        return what + " needs the native library " + systemName + ", which is " + status() + "; it has no pure-Java twin (" + remedy + ")";
    }

    /** One line per library, {@code <key>: <status>}, plus the JNI libraries: what {@code bigarrays version} prints. */
    public static List<String> report() {
        List<String> lines = new ArrayList<>();
        for (NativeLibrary l : values()) lines.add(l.key + ": " + l.status());
        lines.add("lz4: " + Lz4.status());
        lines.add(Spng.KEY + ": " + Spng.status());
        lines.add("zstd: " + (LIBZSTD.isLoaded() ? "libzstd" : "zstd-jni (JNI, not switchable: zstd has no pure-Java twin)"));
        return lines;
    }

    /** Whether {@code -Dbigarrays.native=false} or {@code BIGARRAYS_NATIVE=0} turns native code off globally. */
    public static boolean disabledGlobally() {
        Boolean global = setting("bigarrays.native", "BIGARRAYS_NATIVE");
        return global != null && !global;
    }

    /**
     * Whether the native path named {@code key} is on: its own setting if given, else the global
     * one, else on.
     */
    static boolean enabled(String key) {
        Boolean own = setting("bigarrays.native." + key, "BIGARRAYS_NATIVE_" + key.toUpperCase(Locale.ROOT));
        if (own != null) return own;
        return !disabledGlobally();
    }

    /** Which setting turned {@code key} off, for the status line. */
    private static String offBy(String key) {
        String prop = "bigarrays.native." + key, env = "BIGARRAYS_NATIVE_" + key.toUpperCase(Locale.ROOT);
        if (setting(prop, env) != null) return System.getProperty(prop) != null ? "-D" + prop : env;
        return System.getProperty("bigarrays.native") != null ? "-Dbigarrays.native" : "BIGARRAYS_NATIVE";
    }

    /** A boolean setting from a system property (wins) or environment variable; null when neither is set. */
    private static Boolean setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) v = System.getenv(env);
        if (v == null || v.isBlank()) return null;
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "0", "false", "off", "no" -> false;
            default -> true;
        };
    }

    /** The status line when {@code key} is off: {@code disabled (<setting>)}. */
    static String disabledStatus(String key) {
        return "disabled (" + offBy(key) + ")";
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

    private State state() {
        State s = state;
        if (s == null) {
            synchronized (this) {
                s = state;
                if (s == null) state = s = load();
            }
        }
        return s;
    }

    private State load() {
        if (disabledByConfiguration()) return new State(null, disabledStatus(key));
        List<String> tried = new ArrayList<>();
        State s = this == BIGARRAYS ? loadOurs(tried) : loadSystem(tried);
        if (s != null) return s;
        String why = String.join("; ", tried);
        Log.LOG.warn("native {} not loaded, {} ({}). Fix: {}; or set BIGARRAYS_NATIVE_{}=0 to silence this", systemName == null ? "libbigarrays" : systemName,
                javaTwin == null ? "its encoding cannot be read or written" : "using " + javaTwin, why, fix, key.toUpperCase(Locale.ROOT));
        return new State(null, "unavailable (" + why + ")");
    }

    private State loadSystem(List<String> tried) {
        if (ValueLayout.ADDRESS.byteSize() != 8) { // the bindings pass size_t as a Java long
            tried.add("not a 64-bit JVM");
            return null;
        }
        try {
            return new State(SymbolLookup.libraryLookup(systemName, Arena.global()), "loaded (" + systemName + ")");
        } catch (RuntimeException | LinkageError e) { // IllegalCallerException (no native access) included: never fatal
            tried.add(systemName + ": " + e.getMessage());
            return null;
        }
    }

    private State loadOurs(List<String> tried) {
        String explicit = System.getProperty("bigarrays.native.library");
        if (explicit != null && !explicit.isBlank()) {
            State s = tryLoadOurs(Path.of(explicit), tried);
            if (s != null) return s;
        }
        String folder = platformFolder();
        if (folder == null) {
            tried.add("no native build for " + System.getProperty("os.name") + "/" + System.getProperty("os.arch"));
            return null;
        }
        Path file = BundledLibrary.extract("/native/" + folder + "/libbigarrays.so", tried);
        return file == null ? null : tryLoadOurs(file, tried);
    }

    /** Load one candidate and check its version; null (with the reason in {@code tried}) on failure. */
    private static State tryLoadOurs(Path path, List<String> tried) {
        try {
            SymbolLookup lookup = SymbolLookup.libraryLookup(path, Arena.global());
            // The exported constant, read without linking a downcall (each costs milliseconds at start-up).
            int v = lookup.find("ba_abi_version").map(a -> a.reinterpret(4).get(ValueLayout.JAVA_INT, 0)).orElse(-1);
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
