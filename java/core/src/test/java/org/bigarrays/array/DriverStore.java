package org.bigarrays.array;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.bigarrays.kvstore.KeyValueStores;

/** Where {@link ArrayDriverContract} puts its arrays: a fresh location per array, removed after. */
enum DriverStore {
    MEMORY {
        @Override
        String newUrl() {
            return "mem://contract-" + UUID.randomUUID() + "/layer";
        }

        @Override
        void drop(String url) {
            KeyValueStores.dropMemory(url.substring("mem://".length(), url.indexOf("/layer")));
        }
    },
    FILE {
        @Override
        String newUrl() {
            try {
                return Files.createTempDirectory("bigarrays-contract").resolve("layer").toString();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        void drop(String url) {
            Path dir = Path.of(url).getParent();
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    /** A location where no array exists yet. */
    abstract String newUrl();

    /** Remove everything stored under {@code url} (and the location itself). */
    abstract void drop(String url);
}
