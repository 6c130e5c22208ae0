package org.bigarrays.kvstore.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bigarrays.kvstore.ByteRange;
import org.junit.jupiter.api.Test;

/**
 * HTTP Range headers are inclusive at both ends; ours are half-open: check the translation, and
 * which answers' Content-Range is exactly the range asked for (only those bodies go to a sink).
 */
class JdkHttpRangeHeaderTest {
    @Test
    void translatesEveryRangeForm() {
        assertNull(JdkHttp.rangeHeader(ByteRange.ALL));
        assertEquals("bytes=10-19", JdkHttp.rangeHeader(ByteRange.of(10, 20)));
        assertEquals("bytes=0-0", JdkHttp.rangeHeader(ByteRange.of(0, 1)));
        assertEquals("bytes=5-", JdkHttp.rangeHeader(ByteRange.of(5, Long.MAX_VALUE)));
        assertEquals("bytes=-16", JdkHttp.rangeHeader(ByteRange.suffix(16)));
    }

    @Test
    void onlyAContentRangeOfExactlyTheBoundedRangeAskedForAnswersIt() {
        assertTrue(JdkHttp.answers("bytes=10-19", "bytes 10-19/100"));
        assertTrue(JdkHttp.answers("bytes=10-19", "bytes 10-19/*"));
        assertFalse(JdkHttp.answers("bytes=10-19", "bytes 10-18/100"), "shorter");
        assertFalse(JdkHttp.answers("bytes=10-19", "bytes 0-19/100"), "another start");
        assertFalse(JdkHttp.answers("bytes=10-19", "bytes 110-119/200"), "a start that ends like it");
        assertFalse(JdkHttp.answers("bytes=10-19", null), "no Content-Range");
        assertFalse(JdkHttp.answers("bytes=5-", "bytes 5-99/100"), "open range");
        assertFalse(JdkHttp.answers("bytes=-16", "bytes 84-99/100"), "suffix");
        assertFalse(JdkHttp.answers(null, "bytes 0-9/10"));
    }
}
