package org.bigarrays.nativ;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** Which kernels are in use: native on Linux x86-64 (a silent fallback must fail here), Java when disabled. */
class NativeLibraryTest {
    @Test
    void nativeKernelsAreInUseOnLinuxX8664() {
        assumeFalse(NativeLibrary.disabledByConfiguration(), "native kernels disabled by configuration");
        assumeTrue("linux/x86_64".equals(NativeLibrary.platformFolder()), "no native build for this platform");
        assertTrue(NativeLibrary.isLoaded(), "native library should load here: " + NativeLibrary.status());
        assertTrue(NativeLibrary.status().startsWith("loaded (") && NativeLibrary.status().endsWith(".so)"), NativeLibrary.status());
        assertTrue(NativeLibrary.symbols().orElseThrow().find("ba_copy").isPresent());
        assertEquals("native", Kernels.get().name());
    }

    @Test
    void disabledByConfigurationMeansJavaKernels() {
        assumeTrue(NativeLibrary.disabledByConfiguration(), "only with -Dbigarrays.native=false or BIGARRAYS_NATIVE=0");
        assertEquals("disabled", NativeLibrary.status());
        assertTrue(NativeLibrary.symbols().isEmpty());
        assertEquals("java", Kernels.get().name());
    }
}
