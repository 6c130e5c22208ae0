package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The narrow queries a user asks of what a scale stores, instead of reaching into its chunk layer. */
class StoredQueriesTest {
    @TempDir
    Path tmp;

    private static Info info(ShardingSpec sharding) {
        var b = Info.builder(DataType.UINT8, new long[] {16, 8, 4}, new long[] {8, 8, 4});
        if (sharding != null) b.sharding(sharding);
        return b.build();
    }

    private static NdView ones(BigArray a) {
        long[] s = a.bounds().shape();
        NdView n = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {0, 0, 0, 0}, new long[] {s[0], s[1], s[2], 1});
        n.fill(1);
        return n;
    }

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    @Test
    void anEmptyScaleStoresNothingAndHasNoKnownCompression() {
        try (BigArray a = BigArray.create(tmp.resolve("l").toString(), info(null))) {
            assertNull(a.storedCompression(), "nothing stored: unknown, not none");
            assertNull(a.sharding());
            assertEquals(true, a.canListStored());
            assertEquals(0, a.storedChunks().count());
            assertEquals(0, a.storedBytes());
        }
    }

    @Test
    void storedCompressionIsWhatTheChunksWereWrittenWith() throws Exception {
        for (Compression c : List.of(Compression.NONE, Compression.GZIP, Compression.ZSTD)) {
            Path dir = tmp.resolve(c.name());
            try (BigArray a = BigArray.create(dir.toString(), info(null), Options.defaults().withCompression(c))) {
                a.write(ones(a));
                assertEquals(c, a.storedCompression());
                assertEquals(c, Pyramid.mip0Compression(a));
                assertEquals(2, a.storedChunks().count());
                List<Path> chunks = files(dir.resolve(a.info().scale(0).key()));
                assertEquals(2, chunks.size());
                long bytes = 0;
                for (Path p : chunks) bytes += Files.size(p);
                assertEquals(bytes, a.storedBytes());
            }
        }
    }

    @Test
    void aLegacyDotGzChunkReadsAsGzip() throws Exception {
        Path dir = tmp.resolve("legacy");
        String key;
        try (BigArray a = BigArray.create(dir.toString(), info(null))) {
            a.write(ones(a));
            key = a.info().scale(0).key();
        }
        // CloudVolume on local disk: gzip bytes under <key>.gz, no plain key.
        Path scale = dir.resolve(key);
        for (Path p : files(scale)) {
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
                z.write(Files.readAllBytes(p));
            }
            Files.write(p.resolveSibling(p.getFileName() + ".gz"), gz.toByteArray());
            Files.delete(p);
        }
        try (BigArray a = BigArray.open(dir.toString())) {
            assertEquals(Compression.GZIP, a.storedCompression());
            assertEquals(Compression.GZIP, Pyramid.mip0Compression(a));
        }
    }

    @Test
    void aShardedScaleReportsItsDataEncoding() {
        try (BigArray a = BigArray.create(tmp.resolve("sh").toString(), info(ShardingSpec.parseCli("0,2,1")))) {
            a.write(ones(a));
            ShardingSpec s = a.sharding();
            assertNotNull(s);
            assertEquals(Compression.GZIP, s.dataEncoding(), "the CLI form's data encoding");
            assertEquals(Compression.GZIP, a.storedCompression());
            assertEquals(Compression.NONE, Pyramid.mip0Compression(a), "a pyramid's transport compression does not apply inside shards");
            assertEquals(2, a.storedChunks().count());
        }
    }
}
