package org.bigarrays.zarr.codec;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.MemorySegment;
import java.util.function.Supplier;

/** A bytes → bytes stage of a {@link ZarrCodecPipeline}: a compressor or a checksum. Immutable, thread-safe. */
interface BytesToBytesStage {
    /**
     * Decode all of {@code in} into at most {@code capacity} bytes: a slice of the segment
     * {@code scratch} gives ({@code capacity} bytes, asked for only by stages that write, so a
     * checksum costs no buffer), or of {@code in}. Never writes past the scratch segment.
     * @throws org.bigarrays.CorruptChunkException naming {@code key} when {@code in} is malformed
     *     or decodes to more than {@code capacity} bytes
     */
    MemorySegment decode(MemorySegment in, long capacity, Supplier<MemorySegment> scratch, String key);

    MemorySegment encode(MemorySegment in);

    /** The most bytes a valid encoding of {@code n} bytes can take (ours or another writer's). */
    long maxEncodedSize(long n);

    /** The encoded size less the decoded size when it is fixed (a checksum), else -1 (a compressor). */
    long fixedOverhead();

    ObjectNode toJson();
}
