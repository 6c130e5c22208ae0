package org.bigarrays.nativ;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses the downsample kernel once per process, as {@link KernelsProvider} does for copies. */
final class DownsampleKernels {
    private static final Logger LOG = LoggerFactory.getLogger(DownsampleKernels.class);
    static final DownsampleKernel JAVA = new JavaDownsampleKernel();
    static final DownsampleKernel NATIVE = NativeDownsampleKernel.AVAILABLE ? new NativeDownsampleKernel() : null;
    static final DownsampleKernel INSTANCE = choose();

    private DownsampleKernels() {}

    private static DownsampleKernel choose() {
        DownsampleKernel k = NATIVE != null ? NATIVE : JAVA;
        LOG.debug("downsample kernel in use: {} (native library: {})", k.name(), NativeLibrary.BIGARRAYS.status());
        return k;
    }
}
