package org.bigarrays.nativ;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import org.bigarrays.FormatException;
import org.junit.jupiter.api.Test;

/**
 * The one switch: with {@code BIGARRAYS_NATIVE=0} (or {@code -Dbigarrays.native=false}) every
 * FFM library is off and lz4-java uses its Java instance; without it, every library is in use
 * on Linux x86-64 (where the build machine has them installed), so a silent fallback fails here.
 * Run both ways: {@code mvn test} and {@code BIGARRAYS_NATIVE=0 mvn test}.
 */
class NativeSwitchTest {
    private static final boolean LINUX_X86 = "linux/x86_64".equals(NativeLibrary.platformFolder());

    @Test
    void theSwitchGovernsEveryLibrary() {
        for (NativeLibrary l : NativeLibrary.values()) {
            if (l.disabledByConfiguration()) {
                assertFalse(l.isLoaded(), l + " is off but loaded");
                assertTrue(l.status().startsWith("disabled ("), l + ": " + l.status());
            } else if (LINUX_X86) {
                assertTrue(l.isLoaded(), l + " should load on Linux x86-64: " + l.status());
                assertTrue(l.status().startsWith("loaded ("), l + ": " + l.status());
            }
        }
        if (NativeLibrary.disabledGlobally()) {
            // Without per-library overrides, the global switch turns everything off.
            for (NativeLibrary l : NativeLibrary.values()) {
                String own = System.getenv("BIGARRAYS_NATIVE_" + l.key().toUpperCase(java.util.Locale.ROOT));
                if (own == null && System.getProperty("bigarrays.native." + l.key()) == null) assertTrue(l.disabledByConfiguration(), l.toString());
            }
        }
    }

    @Test
    void codecFacadesFollowTheSwitch() {
        assertTrue(LibDeflate.available() == NativeLibrary.LIBDEFLATE.isLoaded());
        assertTrue(TurboJpeg.available() == NativeLibrary.TURBOJPEG.isLoaded());
        assertTrue(Blosc.available() == NativeLibrary.BLOSC.isLoaded());
        assertTrue(CompressedSegmentation.available() == NativeLibrary.BIGARRAYS.isLoaded());
        assertTrue(Compresso.available() == NativeLibrary.BIGARRAYS.isLoaded() && Compresso.encodeAvailable() == Compresso.available());
        assertTrue(org.bigarrays.codec.CompressoCodec.INSTANCE.usesNative() == Compresso.available());
        assertTrue(Lz4.nativeAllowed() == !NativeLibrary.disabledGlobally() || System.getenv("BIGARRAYS_NATIVE_LZ4") != null
                || System.getProperty("bigarrays.native.lz4") != null);
        if (!Lz4.nativeAllowed()) assertTrue(Lz4.factory() == net.jpountz.lz4.LZ4Factory.safeInstance());
        if (LINUX_X86 && !NativeLibrary.BIGARRAYS.disabledByConfiguration()) assertTrue(CompressedSegmentation.available() && Compresso.available());
    }

    @Test
    void bloscOffSaysItHasNoJavaTwin() {
        if (Blosc.available()) return; // covered when run with BIGARRAYS_NATIVE=0
        FormatException e = assertThrows(FormatException.class, () -> Blosc.compress(MemorySegment.ofArray(new byte[16]), 1));
        assertTrue(e.getMessage().contains("no pure-Java twin") && e.getMessage().contains("libblosc"), e.getMessage());
        if (NativeLibrary.BLOSC.disabledByConfiguration()) assertTrue(e.getMessage().contains("BIGARRAYS_NATIVE_BLOSC=1"), e.getMessage());
    }

    /** A library's own setting wins over the global one, in both directions; property before environment. */
    @Test
    void perLibrarySettingWinsOverTheGlobalOne() {
        String key = "switchtestlib", prop = "bigarrays.native." + key;
        try {
            assertTrue(NativeLibrary.enabled(key) == !NativeLibrary.disabledGlobally(), "unset: follows the global switch");
            for (String off : new String[] {"false", "0", "off", "FALSE"}) {
                System.setProperty(prop, off);
                assertFalse(NativeLibrary.enabled(key), off);
            }
            System.setProperty(prop, "true");
            assertTrue(NativeLibrary.enabled(key), "on even when BIGARRAYS_NATIVE=0");
        } finally {
            System.clearProperty(prop);
        }
    }

    @Test
    void reportHasOneLinePerLibrary() {
        var lines = NativeLibrary.report();
        for (NativeLibrary l : NativeLibrary.values()) assertTrue(lines.stream().anyMatch(s -> s.startsWith(l.key() + ": ")), lines.toString());
        assertTrue(lines.stream().anyMatch(s -> s.startsWith("zstd: ")), lines.toString());
        assertTrue(lines.stream().anyMatch(s -> s.startsWith("lz4: ")), lines.toString());
        String png = Spng.available() ? "libspng: loaded (libspng 0." : "libspng: ";
        assertTrue(lines.stream().anyMatch(s -> s.startsWith(png) && s.contains(Spng.available() ? "through libbigarrays" : "png uses ImageIO")),
                lines.toString());
    }
}
