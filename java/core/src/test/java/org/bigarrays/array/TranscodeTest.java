package org.bigarrays.array;

import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.Compression;
import org.bigarrays.precomputed.EncodingSpec;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TranscodeTest {
    @Test
    void rawLabelsToCompressedSegmentationAndBackKeepEveryVoxelAndMissingChunk(@TempDir Path tmp) throws Exception {
        Info info = Info.builder(DataType.UINT64, new long[] {50, 40, 9}, new long[] {16, 16, 4}).type("segmentation").build();
        String src = tmp.resolve("src").toString();
        Box written = Box.of(new long[] {0, 0, 0}, new long[] {50, 40, 4}); // z 4..9 stays unwritten
        NdView v;
        try (BigArray a = BigArray.create(src, info)) {
            v = NdView.allocate(Arena.ofAuto(), DataType.UINT64, new long[] {0, 0, 0, 0}, new long[] {50, 40, 4, 1});
            for (long z = 0; z < 4; z++) for (long y = 0; y < 40; y++) for (long x = 0; x < 50; x++) {
                v.set(new long[] {x, y, z, 0}, (x / 5) * 1000003L + (y / 7) + (1L << 40));
            }
            a.write(v);
        }
        AtomicLong last = new AtomicLong();
        String cseg = tmp.resolve("cseg").toString();
        Transcode.Result r = Transcode.run(src, cseg, new EncodingSpec("compressed_segmentation", new long[] {8, 8, 2}, null, null),
                Options.defaults().withCompression(Compression.ZSTD).withProgress((d, t) -> last.accumulateAndGet(d, Math::max)));
        assertEquals(4 * 3, r.chunksWritten());
        assertEquals(4 * 3 * 2, r.chunksMissing());
        assertEquals(12, last.get()); // progress counts the stored chunks copied: missing ones are not visited
        assertTrue(r.bytesWritten() * 20 < r.bytesRead(), "labels compress: " + r);
        String back = tmp.resolve("back").toString();
        Transcode.run(cseg, back, EncodingSpec.of("raw"), Options.defaults().withCompression(Compression.GZIP));
        for (String url : new String[] {cseg, back}) {
            try (BigArray b = BigArray.open(url)) {
                assertEquals(-1, v.segment().mismatch(b.read(written).segment()), url);
                assertEquals(0L, b.read(Box.of(new long[] {0, 0, 4}, new long[] {50, 40, 9})).toLongArray()[123]);
            }
        }
        try (BigArray b = BigArray.open(cseg)) {
            assertEquals("compressed_segmentation", b.info().scale(0).encoding());
        }
        assertThrows(InvalidInputException.class, () -> Transcode.run(src, tmp.resolve("j").toString(), EncodingSpec.of("jpeg"), Options.defaults()));
        assertThrows(InvalidInputException.class, () -> Transcode.run(src, cseg, EncodingSpec.of("raw"), Options.defaults()), "destination exists");
    }
}
