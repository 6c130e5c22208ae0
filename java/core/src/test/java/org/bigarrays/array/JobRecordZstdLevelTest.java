package org.bigarrays.array;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bigarrays.InvalidInputException;
import org.bigarrays.kvstore.MemoryStore;
import org.junit.jupiter.api.Test;

/** A job's zstd level is part of its fingerprint: a rerun at another level is another job; the default adds no field. */
class JobRecordZstdLevelTest {
    private static Map<String, String> fields(Options o) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("compression", "zstd");
        JobRecord.putZstdLevel(f, o);
        return f;
    }

    @Test
    void aRerunAtAnotherZstdLevelIsRefusedNamingIt() {
        assertEquals(Map.of("compression", "zstd"), fields(Options.defaults()), "the default level records nothing: older records still match");
        MemoryStore layer = new MemoryStore("memory://job/");
        JobRecord.begin(layer, "transcode", fields(Options.defaults().withZstdLevel(1)), false);
        JobRecord.begin(layer, "transcode", fields(Options.defaults().withZstdLevel(1)), false); // same level: resumes
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> JobRecord.begin(layer, "transcode", fields(Options.defaults()), false));
        assertTrue(e.getMessage().contains("zstd level: recorded '1', now none"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> JobRecord.begin(layer, "transcode", fields(Options.defaults().withZstdLevel(19)), false));
        assertTrue(e.getMessage().contains("zstd level: recorded '1', now '19'"), e.getMessage());
    }
}
