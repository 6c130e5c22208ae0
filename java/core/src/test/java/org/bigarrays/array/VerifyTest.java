package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.bigarrays.InvalidInputException;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.bigarrays.sharding.ShardingSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verify on layers damaged on purpose: each kind of damage is found and named, a clean layer is clean. */
class VerifyTest {
    @TempDir
    Path tmp;

    /** A 64x64x32 uint8 layer of 16³ chunks (4x4x2 = 32 chunks), every chunk written with random voxels. */
    private Path layer(String name, Compression c, ShardingSpec sharding, String encoding) {
        var b = Info.builder(DataType.UINT8, new long[] {64, 64, 32}, new long[] {16, 16, 16});
        if (sharding != null) b.sharding(sharding);
        if (encoding != null) b.encoding(encoding);
        Path dir = tmp.resolve(name);
        try (BigArray a = BigArray.create(dir.toString(), b.build(), Options.defaults().withCompression(c))) {
            NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[4], new long[] {64, 64, 32, 1});
            Random r = new Random(7);
            for (long i = 0; i < v.byteSize(); i++) v.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (1 + r.nextInt(200)));
            a.write(v);
        }
        return dir;
    }

    private static Verify.Report verify(Path dir) {
        return Verify.run(dir.toString(), -1, null, Options.defaults());
    }

    private static List<String> corruptKeys(Verify.Report r) {
        return r.scales().stream().flatMap(s -> s.corrupt().stream()).map(Verify.Problem::key).collect(Collectors.toList());
    }

    @Test
    void aCleanLayerIsClean() {
        Path dir = layer("clean", Compression.GZIP, null, null);
        Verify.Report r = verify(dir);
        assertTrue(r.clean(), r.toJson());
        Verify.ScaleReport s = r.scales().getFirst();
        assertEquals(32, s.cells());
        assertEquals(32, s.stored());
        assertEquals(0, s.missing());
        assertTrue(s.bytes() > 0);
        assertEquals(List.of(), r.strays(), "a finished write leaves no lock or temp file");
        assertEquals(List.of(), r.unfinishedJobs());
    }

    @Test
    void truncatedGzipChunkDeletedChunksStrayFilesBadKeyAndJobRecordAreEachNamed() throws Exception {
        Path dir = layer("damaged", Compression.GZIP, null, null);
        Path scale = dir.resolve("1_1_1");
        Path victim = scale.resolve("16-32_0-16_0-16.gz"); // gzip chunks on local disk are <key>.gz
        byte[] gz = Files.readAllBytes(victim);
        Files.write(victim, java.util.Arrays.copyOf(gz, gz.length / 2));
        Files.delete(scale.resolve("0-16_0-16_0-16.gz"));
        Files.delete(scale.resolve("48-64_48-64_16-32.gz"));
        Files.write(scale.resolve("48-64_48-64_16-32.br"), gz); // CloudVolume's brotli name: not read, so still missing, but not stray
        Files.write(scale.resolve(".0-16_16-32_0-16.tmp-0123456789abcdef"), new byte[] {1, 2, 3});
        Files.write(scale.resolve(".0-16_0-16_0-16.__lock"), new byte[] {1});
        Files.write(scale.resolve(".bigarrays.lock"), new byte[0]);
        Files.write(dir.resolve("notes.txt"), new byte[] {1});
        Files.write(scale.resolve("0-8_0-16_0-16"), new byte[16 * 16 * 8]); // a chunk of the wrong size
        // A chunk under two names (a writer died switching it): the plain name is read, the .gz one is reported.
        Files.write(scale.resolve("32-48_0-16_0-16"), new byte[16 * 16 * 16]);
        Files.createDirectories(dir.resolve(".bigarrays-job"));
        Files.writeString(dir.resolve(".bigarrays-job/record.json"), "{\"command\": \"bigarrays transcode a b\", \"done\": []}");

        Verify.Report r = verify(dir);
        assertFalse(r.clean());
        Verify.ScaleReport s = r.scales().getFirst();
        assertEquals(List.of("1_1_1/0-8_0-16_0-16", "1_1_1/16-32_0-16_0-16"), corruptKeys(r), r.toJson());
        String why = s.corrupt().get(1).reason();
        assertTrue(why.contains("gzip") || why.contains("inflate") || why.contains("deflate") || why.contains("truncated"), why);
        assertTrue(s.corrupt().getFirst().reason().contains("wrong size"), s.corrupt().getFirst().reason());
        assertEquals(30, s.stored());
        assertEquals(2, s.missing());
        assertEquals(List.of("1_1_1/0-16_0-16_0-16", "1_1_1/48-64_48-64_16-32"), s.firstMissing());
        assertEquals(List.of("1_1_1/48-64_48-64_16-32.br"), s.unread());
        assertEquals(List.of(new Verify.Problem("1_1_1/32-48_0-16_0-16.gz", "also stored as 32-48_0-16_0-16, which is read")), s.shadowed());
        assertEquals(List.of("1_1_1/.0-16_0-16_0-16.__lock", "1_1_1/.0-16_16-32_0-16.tmp-0123456789abcdef", "1_1_1/.bigarrays.lock", "notes.txt"),
                r.strays());
        assertEquals(List.of("unfinished job: bigarrays transcode a b"), r.unfinishedJobs());
        String json = r.toJson();
        assertTrue(json.contains("\"clean\" : false") && json.contains("16-32_0-16_0-16") && json.contains("notes.txt"), json);
        assertTrue(json.contains("\"shadowed\"") && json.contains("32-48_0-16_0-16.gz"), json);
    }

    @Test
    void rawChunkOfTheWrongSizeIsCorruptAndLegacyIngestRecordIsAnUnfinishedJob() throws Exception {
        Path dir = layer("raw", Compression.NONE, null, null);
        Path victim = dir.resolve("1_1_1/32-48_16-32_16-32");
        Files.write(victim, new byte[] {9, 9, 9}, StandardOpenOption.APPEND);
        Files.createDirectories(dir.resolve("ingest"));
        Files.writeString(dir.resolve("ingest/source.json"), "{\"source\": \"x\", \"complete\": false}");
        Verify.Report r = verify(dir);
        assertEquals(List.of("1_1_1/32-48_16-32_16-32"), corruptKeys(r), r.toJson());
        assertTrue(r.scales().getFirst().corrupt().getFirst().reason().contains(String.valueOf(16 * 16 * 16 + 3)), r.toJson());
        assertEquals(1, r.unfinishedJobs().size());
        assertTrue(r.unfinishedJobs().getFirst().contains("ingest"));
        assertEquals(List.of(), r.strays(), "an ingest record is not stray");
    }

    @Test
    void undecodableJpegChunkIsCorrupt() throws Exception {
        Path dir = layer("jpeg", Compression.NONE, null, "jpeg");
        Path victim = dir.resolve("1_1_1/0-16_16-32_0-16");
        byte[] b = Files.readAllBytes(victim);
        Files.write(victim, java.util.Arrays.copyOf(b, 40));
        Verify.Report r = verify(dir);
        assertEquals(List.of("1_1_1/0-16_16-32_0-16"), corruptKeys(r), r.toJson());
    }

    @Test
    void shardedLayerListsChunksFromShardIndexesAndNamesAShardWithABadIndex() throws Exception {
        // 4x4x2 chunks: 5 Morton bits; 1 shard bit, 2 minishard bits -> two shard files of 16 chunks.
        Path dir = layer("sharded", Compression.NONE, ShardingSpec.parseCli("0,2,1"), null);
        Verify.Report clean = verify(dir);
        assertTrue(clean.clean(), clean.toJson());
        assertEquals(32, clean.scales().getFirst().stored());
        assertTrue(clean.scales().getFirst().sharded());
        List<Path> shards;
        try (var l = Files.list(dir.resolve("1_1_1"))) {
            shards = l.filter(p -> p.toString().endsWith(".shard")).sorted().toList();
        }
        assertEquals(2, shards.size());
        // Minishard 1's index entry pointing far beyond the end of the file.
        try (FileChannel ch = FileChannel.open(shards.get(1), StandardOpenOption.WRITE)) {
            ByteBuffer e = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong((1L << 40) + 100).flip();
            ch.write(e, 16);
        }
        Verify.Report r = verify(dir);
        assertFalse(r.clean());
        String bad = "1_1_1/" + shards.get(1).getFileName();
        assertEquals(List.of(bad), corruptKeys(r), r.toJson());
        assertTrue(r.scales().getFirst().corrupt().getFirst().reason().startsWith("bad shard index"), r.toJson());
        assertEquals(16, r.scales().getFirst().stored(), "the other shard's chunks are still listed");
    }

    @Test
    void aBoxChecksOnlyItsChunksAndBadUsageIsRefused() throws Exception {
        Path dir = layer("boxed", Compression.GZIP, null, null);
        Files.delete(dir.resolve("1_1_1/48-64_48-64_16-32.gz")); // gzip chunks on local disk are <key>.gz
        Verify.Report r = Verify.run(dir.toString(), 0, Box.of(new long[] {0, 0, 0}, new long[] {32, 32, 16}), Options.defaults());
        assertEquals(4, r.scales().getFirst().cells());
        assertEquals(4, r.scales().getFirst().stored());
        assertEquals(0, r.scales().getFirst().missing());
        assertTrue(r.clean());
        assertThrows(InvalidInputException.class, () -> Verify.run(dir.toString(), 3, null, Options.defaults()));
        assertThrows(InvalidInputException.class, () -> Verify.run(dir.toString(), 0, Box.of(new long[] {100, 0, 0}, new long[] {120, 8, 8}), Options.defaults()));
    }
}
