package org.bigarrays.nativ;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Extracts a library shipped in the jar to a file the OS can load. The file is named by the
 * library's length and checksum ({@code <tmpdir>/bigarrays-<user>/libbigarrays-<version>-<length>-<crc32c>.so}),
 * written through a temporary file and an atomic rename, and reused by every later process: a
 * killed process leaves nothing behind, and concurrent first starts agree on one file.
 */
final class BundledLibrary {
    private BundledLibrary() {}

    /** The extracted file, or null with the reason added to {@code tried}. */
    static Path extract(String resource, List<String> tried) {
        byte[] bytes;
        try (InputStream in = BundledLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                tried.add("classpath:" + resource + ": not found (native build skipped?)");
                return null;
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            tried.add("classpath:" + resource + ": cannot read: " + e);
            return null;
        }
        String sha = contentTag(bytes);
        String name = resource.substring(resource.lastIndexOf('/') + 1);
        String stem = name.endsWith(".so") ? name.substring(0, name.length() - 3) : name;
        String version = BundledLibrary.class.getPackage().getImplementationVersion();
        String file = stem + "-" + (version == null ? "dev" : version.replaceAll("[^A-Za-z0-9._-]", "_")) + "-" + sha + ".so";
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "bigarrays-" + user);
        Path target = dir.resolve(file);
        try {
            if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) return target;
            createPrivateDirectory(dir);
            Path tmp = Files.createTempFile(dir, stem + "-", ".part");
            try {
                Files.write(tmp, bytes);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            return target;
        } catch (IOException | RuntimeException e) {
            tried.add("classpath:" + resource + ": cannot extract to " + target + ": " + e);
            return null;
        }
    }

    /** The folder, readable and writable by this user only where the file system has POSIX permissions. */
    private static void createPrivateDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) throw e;
        }
    }

    /**
     * The name tag of {@code bytes}: length and CRC32C. It only tells versions apart; an existing
     * file is reused only when its bytes equal the library's. (SHA-256 cost ~10 ms of start-up:
     * the security providers load for it.)
     */
    static String contentTag(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return Long.toHexString(bytes.length) + "-" + java.util.HexFormat.of().toHexDigits((int) crc.getValue());
    }
}
