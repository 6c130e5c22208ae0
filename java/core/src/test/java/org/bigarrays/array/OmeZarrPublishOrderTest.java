package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downsampling an OME-Zarr image: a reader that opens the group while the new levels' chunks are
 * being written (from the build's progress callbacks) sees only the levels that were there
 * before; once the build returns, every new level is listed, with its array and its chunks.
 */
class OmeZarrPublishOrderTest {
    @TempDir
    Path tmp;

    @Test
    void newLevelsAreListedOnlyOnceTheyAreComplete() {
        String url = tmp.resolve("ome").toString();
        Info info = Info.builder(DataType.UINT8, new long[] {128, 128, 16}, new long[] {16, 16, 16}).build();
        try (BigArray a = BigArray.create(url, info, Options.defaults().withFormat("ome-zarr").withCompression(Compression.GZIP))) {
            NdView v = a.read(a.bounds());
            v.fill(9);
            a.write(v);
        }
        List<Integer> seen = new ArrayList<>();
        List<Boolean> levelDirsExisted = new ArrayList<>();
        ProgressListener reader = (done, total) -> {
            try (BigArray r = BigArray.open(url)) { // a fresh context: nothing cached from the writer
                seen.add(r.info().scales().size());
            }
            try (var dirs = Files.list(tmp.resolve("ome"))) { // a directory besides level 0's: a new level's chunks
                levelDirsExisted.add(dirs.filter(Files::isDirectory).count() > 1);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        try (BigArray a = BigArray.open(url)) {
            Pyramid.Result r = Pyramid.build(a.withOptions(a.options().withProgress(reader).withThreads(1, 4)), PyramidSpec.defaults().withMips(2));
            assertEquals(2, r.mipsAdded());
        }
        assertFalse(seen.isEmpty(), "the reader ran while chunks were written");
        assertTrue(seen.stream().allMatch(n -> n == 1), "a reader mid-way saw only level 0: " + seen);
        assertTrue(levelDirsExisted.contains(true), "the new level's chunks were being written while the reader looked: " + levelDirsExisted);
        try (BigArray a = BigArray.open(url)) {
            assertEquals(3, a.info().scales().size());
            for (int m = 1; m < 3; m++) {
                BigArray l = a.mip(m);
                assertTrue(Files.isRegularFile(tmp.resolve("ome").resolve(l.info().scale(m).key()).resolve("zarr.json")));
                assertEquals(l.grid().allCells().count(), l.storedChunks().count(), "level " + m + ": every chunk stored");
                assertEquals(9, l.read(l.bounds()).getAsLong(0, 0, 0));
            }
        }
    }
}
