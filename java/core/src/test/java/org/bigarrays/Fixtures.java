package org.bigarrays;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared interop fixtures (surefire passes their folder as {@code bigarrays.fixtures}). */
public final class Fixtures {
    private Fixtures() {}

    /** The fixtures folder; skips the calling test, saying why, when it is absent. */
    public static Path root() {
        String p = System.getProperty("bigarrays.fixtures");
        assumeTrue(p != null, "system property bigarrays.fixtures is not set: the fixtures folder is absent, fixture tests skipped");
        Path root = Path.of(p).toAbsolutePath().normalize();
        assumeTrue(Files.isDirectory(root), "fixtures folder " + root + " is absent: fixture tests skipped");
        return root;
    }

    /** A path inside the fixtures folder, which must exist (a missing file in a present folder is a failure). */
    public static Path path(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) throw new AssertionError("fixture " + p + " is missing although the fixtures folder exists");
        return p;
    }
}
