package org.bigarrays;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/** Deletes the folders tests make outside JUnit's {@code @TempDir} (jqwik properties, shared layers), so no run leaves files in the temp dir. */
public final class TempTrees {
    private TempTrees() {}

    /** Delete {@code dir} and everything under it (nothing when null or already gone). */
    public static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) return;
        try (var walk = Files.walk(dir)) {
            for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
