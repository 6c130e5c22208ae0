package org.bigarrays.nativ;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;
import org.junit.jupiter.api.Test;

/** {@link NativeResult} mirrors bigarrays.h's ba_result value for value, and each code becomes its exception. */
class NativeResultTest {
    @Test
    void mirrorsTheHeaderValueForValue() throws Exception {
        Path header = Path.of(System.getProperty("user.dir")).resolve("../../native/include/bigarrays.h").normalize();
        String text = Files.readString(header);
        String body = text.substring(text.indexOf("typedef enum ba_result {"), text.indexOf("} ba_result;"));
        Map<String, Integer> declared = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(BA_[A-Z_]+) = (\\d+)").matcher(body);
        while (m.find()) declared.put(m.group(1), Integer.parseInt(m.group(2)));
        assertEquals(NativeResult.values().length, declared.size(), declared.toString());
        for (NativeResult r : NativeResult.values()) assertEquals(r.ordinal(), declared.get(r.cName()), r.cName());
        assertNull(NativeResult.of(-1));
        assertNull(NativeResult.of(NativeResult.values().length));
    }

    @Test
    void eachCodeBecomesItsException() {
        RuntimeException e = NativeResult.failure(1, "ba_copy", null, "copy of box [2]");
        assertInstanceOf(IndexOutOfBoundsException.class, e);
        assertEquals("native ba_copy: copy of box [2]: outside a buffer (result 1, BA_OUT_OF_BOUNDS)", e.getMessage());
        assertInstanceOf(IllegalArgumentException.class, NativeResult.failure(2, "ba_fill", null, "x"));
        CorruptChunkException c = assertInstanceOf(CorruptChunkException.class, NativeResult.failure(3, "ba_cseg_decode", "1/0-64_0-64_0-64", "malformed"));
        assertEquals("1/0-64_0-64_0-64", c.key());
        assertTrue(c.getMessage().endsWith("(result 3, BA_CORRUPT_INPUT)"), c.getMessage());
        assertInstanceOf(IllegalArgumentException.class, NativeResult.failure(4, "ba_cseg_decode", "k", "x"));
        OutOfMemoryError oom = assertThrows(OutOfMemoryError.class, () -> NativeResult.failure(5, "ba_cpso_decode", "k", "x"));
        assertTrue(oom.getMessage().contains("BA_NO_MEMORY"), oom.getMessage());
        assertInstanceOf(FormatException.class, NativeResult.failure(6, "ba_cseg_encode", null, "a table offset exceeds 24 bits"));
        RuntimeException unknown = NativeResult.failure(99, "ba_copy", null, "x");
        assertInstanceOf(IllegalStateException.class, unknown);
        assertTrue(unknown.getMessage().contains("unknown result 99"), unknown.getMessage());
    }
}
