package org.bigarrays.kvstore;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** What a precomputed layer on disk may hold, for tests that check a command left no stray file. */
public final class LayerFiles {
    /** {@code x0-x1_y0-y1_z0-z1} (any rank; bounds may be negative), optionally with a compression suffix. */
    private static final Pattern CHUNK = Pattern.compile("-?\\d+--?\\d+(_-?\\d+--?\\d+)*(\\.gz|\\.zstd|\\.br)?");
    private static final Pattern SHARD = Pattern.compile("[0-9a-f]+\\.shard");

    private LayerFiles() {}

    /**
     * Fail, listing every offending path, unless {@code layerDir} holds only {@code info} and
     * {@code provenance} at its top and chunk or shard files in scale directories (no temp file,
     * lock file, job record or anything else).
     */
    public static void assertOnlyFormatFiles(Path layerDir) {
        List<String> stray;
        try (Stream<Path> s = Files.walk(layerDir)) {
            stray = s.filter(p -> !p.equals(layerDir)).filter(p -> !allowed(layerDir, p))
                    .map(p -> layerDir.relativize(p).toString() + (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "/" : "")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!stray.isEmpty()) fail("files in layer " + layerDir + " that are not part of the format: " + stray);
    }

    private static boolean allowed(Path layer, Path p) {
        Path rel = layer.relativize(p);
        String name = p.getFileName().toString();
        boolean dir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
        if (rel.getNameCount() == 1) return dir ? !name.startsWith(".") : name.equals("info") || name.equals("provenance");
        if (rel.getNameCount() == 2 && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            return CHUNK.matcher(name).matches() || SHARD.matcher(name).matches();
        }
        return false;
    }
}
