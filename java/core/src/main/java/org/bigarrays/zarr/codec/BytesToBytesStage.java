package org.bigarrays.zarr.codec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.MemorySegment;

/** A bytes → bytes stage of a {@link ZarrCodecPipeline}: a compressor or a checksum. Immutable, thread-safe. */
interface BytesToBytesStage {
    /**
     * Decode all of {@code in}; the result is a slice of {@code scratch} (at most its size) or
     * of {@code in}. Never writes past {@code scratch}.
     * @throws org.bigarrays.CorruptChunkException naming {@code key} when {@code in} is malformed
     *     or decodes to more than {@code scratch} holds
     */
    MemorySegment decode(MemorySegment in, MemorySegment scratch, String key);

    MemorySegment encode(MemorySegment in);

    /** The most bytes a valid encoding of {@code n} bytes can take (ours or another writer's). */
    long maxEncodedSize(long n);

    /** The encoded size less the decoded size when it is fixed (a checksum), else -1 (a compressor). */
    long fixedOverhead();

    ObjectNode toJson();
}
