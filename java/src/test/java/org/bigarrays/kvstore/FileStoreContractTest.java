package org.bigarrays.kvstore;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileStoreContractTest extends KeyValueStoreContract {
    @TempDir
    Path dir;

    @Override
    protected KeyValueStore newStore() {
        return new FileStore(dir, false);
    }
}
