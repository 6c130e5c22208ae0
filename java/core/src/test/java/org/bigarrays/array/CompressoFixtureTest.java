package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.Fixtures;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.CompressoCodec;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.ChunkKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CloudVolume's compresso layer (cloud-volume/test_seg_unsharded, scale 32_32_40: 8 gzipped
 * chunks of 256x256x64 uint32, format version 1). The fixture has no decoded ground truth, so the
 * check is this: every chunk read through {@link BigArray#open} equals what both decoders make of
 * the stored bytes, and re-encoding it with our encoder gives CloudVolume's bytes exactly. Since
 * our decoder inverts our encoder (CompressoCodecTest), byte-equal re-encoding means our
 * voxels are the ones CloudVolume encoded.
 */
class CompressoFixtureTest {
    @Test
    void cloudVolumeLayerReadsAndReencodesByteForByte() throws IOException {
        Path layer = Fixtures.path("cloud-volume/test_seg_unsharded");
        Path dir = Fixtures.path("cloud-volume/test_seg_unsharded/32_32_40");
        try (BigArray a = BigArray.open(layer.toUri().toString())) {
            assertEquals("compresso", a.info().scale(2).encoding());
            BigArray m = a.mip(2);
            assertEquals(DataType.UINT32, m.dataType());
            List<Path> files;
            try (var s = Files.list(dir)) {
                files = s.sorted().toList();
            }
            assertEquals(8, files.size(), "chunk files in " + dir);
            ChunkLayout l = new ChunkLayout(new long[] {256, 256, 64}, 1, DataType.UINT32);
            Set<Integer> labels = new HashSet<>();
            for (Path f : files) {
                String name = f.getFileName().toString();
                Box box = ChunkKeys.parse(name);
                NdView v = m.read(box);
                int[] got = v.toIntArray();
                byte[] stored;
                try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
                    stored = in.readAllBytes();
                }
                MemorySegment fromJava = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
                CompressoCodec.INSTANCE.javaOnly().decode(MemorySegment.ofArray(stored), l, fromJava, name);
                MemorySegment fromCodec = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
                CompressoCodec.INSTANCE.decode(MemorySegment.ofArray(stored), l, fromCodec, name);
                assertEquals(-1, fromJava.mismatch(fromCodec), name + ": the twins differ");
                assertEquals(-1, fromJava.mismatch(MemorySegment.ofArray(got)), name + ": BigArray read differs from decoding the file");
                for (CompressoCodec c : new CompressoCodec[] {CompressoCodec.INSTANCE, CompressoCodec.INSTANCE.javaOnly()}) {
                    MemorySegment again = c.encode(fromJava, l);
                    assertEquals(-1, MemorySegment.ofArray(stored).mismatch(again), name + ": " + c + " re-encodes differently");
                }
                for (int i = 0; i < got.length; i += 97) labels.add(got[i]);
            }
            assertTrue(labels.size() > 100, "a real segmentation has many labels, found " + labels.size());
        }
    }

    /** The layer copied to a temporary folder with one chunk cut short by a byte: the cutout fails naming that chunk. */
    @Test
    void aDamagedChunkIsCorruptNamingItsKey(@TempDir Path tmp) throws IOException {
        Path src = Fixtures.path("cloud-volume/test_seg_unsharded");
        Files.createDirectories(tmp.resolve("32_32_40"));
        Files.copy(src.resolve("info"), tmp.resolve("info"));
        String bad = "0-256_0-256_64-128.gz";
        try (var s = Files.list(src.resolve("32_32_40"))) {
            for (Path f : s.toList()) Files.copy(f, tmp.resolve("32_32_40").resolve(f.getFileName()));
        }
        byte[] stored;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(src.resolve("32_32_40").resolve(bad)))) {
            stored = in.readAllBytes();
        }
        try (var out = new GZIPOutputStream(Files.newOutputStream(tmp.resolve("32_32_40").resolve(bad)))) {
            out.write(stored, 0, stored.length - 1); // the 2-byte windows no longer add up
        }
        try (BigArray a = BigArray.open(tmp.toUri().toString())) {
            BigArray m = a.mip(2);
            assertEquals(256 * 256 * 64, m.read(Box.parse("0,0,0:256,256,64")).toIntArray().length, "an intact chunk still reads");
            CorruptChunkException e = assertThrows(CorruptChunkException.class, () -> m.read(Box.parse("0,0,70:256,256,80")));
            assertTrue(e.key().contains("32_32_40/0-256_0-256_64-128"), e.key());
            assertTrue(e.getMessage().contains("compresso"), e.getMessage());
        }
    }
}
