package org.bigarrays.nativ;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the kernels once per process: native when {@link NativeLibrary} loads (it is not
 * disabled by {@code -Dbigarrays.native=false} or {@code BIGARRAYS_NATIVE=0}), else Java.
 */
final class KernelsProvider {
    /** The logger, made on first use: starting SLF4J costs a one-chunk cutout ~20 ms. */
    private static final class Log {
        static final Logger LOG = LoggerFactory.getLogger(KernelsProvider.class);
    }
    static final Kernels INSTANCE = choose();

    private KernelsProvider() {}

    private static Kernels choose() {
        Kernels k = NativeLibrary.BIGARRAYS.isLoaded() ? new NativeKernels() : new JavaKernels();
        Log.LOG.debug("kernels in use: {} (native library: {})", k.name(), NativeLibrary.BIGARRAYS.status());
        return k;
    }
}
