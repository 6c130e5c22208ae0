package org.bigarrays.bench.harness;

import java.nio.file.Path;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;

/**
 * A chunked-array system under test, driven through its own public API: it writes a whole
 * volume chunk-aligned and reads unaligned boxes into an x-fastest (Fortran-order) buffer.
 */
interface Peer {
    /** Whether this system can store {@code c}'s encoding (e.g. raw, gzip, zstd). */
    boolean supports(SideBySide.Case c);

    /** Write {@code volume} (origin 0, x fastest) into a new array at {@code dir}. */
    void write(Path dir, NdView volume, SideBySide.Case c) throws Exception;

    /** Open the array at {@code dir} for repeated reads. */
    Reader open(Path dir, SideBySide.Case c) throws Exception;

    /** Repeated cutouts from one opened array. */
    interface Reader extends AutoCloseable {
        /** Read {@code box} into {@code into} (x fastest, same shape as the box). */
        void read(Box box, NdView into) throws Exception;

        @Override
        void close() throws Exception;
    }
}
