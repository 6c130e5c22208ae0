package org.bigarrays.nativ;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Which kernels are in use: native on Linux x86-64 (a silent fallback must fail here), Java when disabled. */
class NativeLibraryTest {
    @Test
    void nativeKernelsAreInUseOnLinuxX8664() {
        assumeFalse(NativeLibrary.BIGARRAYS.disabledByConfiguration(), "native kernels disabled by configuration");
        assumeTrue("linux/x86_64".equals(NativeLibrary.platformFolder()), "no native build for this platform");
        NativeLibrary l = NativeLibrary.BIGARRAYS;
        assertTrue(l.isLoaded(), "native library should load here: " + l.status());
        assertTrue(l.status().startsWith("loaded (") && l.status().endsWith(".so)"), l.status());
        assertTrue(l.symbols().orElseThrow().find("ba_copy").isPresent());
        assertEquals("native", Kernels.get().name());
    }

    @Test
    void disabledByConfigurationMeansJavaKernels() {
        assumeTrue(NativeLibrary.BIGARRAYS.disabledByConfiguration(), "only with -Dbigarrays.native=false or BIGARRAYS_NATIVE=0");
        assertTrue(NativeLibrary.BIGARRAYS.status().startsWith("disabled ("), NativeLibrary.BIGARRAYS.status());
        assertTrue(NativeLibrary.BIGARRAYS.symbols().isEmpty());
        assertEquals("java", Kernels.get().name());
    }

    /** The one link step: a function the library lacks gives no handles and one line naming it, the fallback and the fix. */
    @Test
    void aMissingFunctionIsReportedNotThrown() {
        for (NativeLibrary l : NativeLibrary.values()) {
            NativeLibrary.Linked<java.lang.invoke.MethodHandle> linked = l.link("test", "a newer " + l.key(),
                    d -> d.plain("ba_no_such_function", java.lang.foreign.FunctionDescriptor.ofVoid()));
            assertTrue(linked.handles() == null && linked.error() != null && !linked.error().contains("\n"), l + ": " + linked);
            if (l.isLoaded()) {
                assertTrue(linked.error().contains("lacks a function") && linked.error().contains("ba_no_such_function")
                        && linked.error().endsWith("Fix: install a newer " + l.key()), linked.error());
                assertTrue(linked.error().contains(l.javaTwin() == null ? "cannot be read or written" : "uses " + l.javaTwin()), linked.error());
            } else {
                assertTrue(linked.error().contains(l.status()), linked.error());
            }
        }
    }

    /** The jar's library is extracted once to a file named by its content hash, reused by later processes. */
    @Test
    void bundledLibraryIsExtractedToOneStableFile() throws Exception {
        assumeTrue("linux/x86_64".equals(NativeLibrary.platformFolder()), "no native build for this platform");
        String resource = "/native/linux/x86_64/libbigarrays.so";
        assumeTrue(NativeLibrary.class.getResource(resource) != null, "native build skipped");
        java.util.List<String> tried = new java.util.ArrayList<>();
        Path first = BundledLibrary.extract(resource, tried);
        Path second = BundledLibrary.extract(resource, tried);
        assertTrue(first != null && tried.isEmpty(), tried.toString());
        assertEquals(first, second);
        byte[] bytes;
        try (var in = NativeLibrary.class.getResourceAsStream(resource)) {
            bytes = in.readAllBytes();
        }
        assertTrue(first.getFileName().toString().matches("libbigarrays-.+-" + BundledLibrary.contentTag(bytes) + "\\.so"), first.toString());
        assertTrue(first.getParent().getFileName().toString().startsWith("bigarrays-"), first.toString());
        // A damaged copy is replaced, not loaded. (Put in place by a rename: this process has the
        // file mapped, and writing into a mapped library kills the process.)
        Path junk = Files.createTempFile(first.getParent(), "junk", ".tmp");
        Files.write(junk, new byte[] {1, 2, 3});
        Files.move(junk, first, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertEquals(first, BundledLibrary.extract(resource, tried));
        assertEquals(-1, java.util.Arrays.mismatch(bytes, Files.readAllBytes(first)));
        try (var files = Files.list(first.getParent())) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".part")), "no temporary files left behind");
        }
    }
}
