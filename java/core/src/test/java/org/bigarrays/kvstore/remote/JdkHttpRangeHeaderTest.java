package org.bigarrays.kvstore.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.bigarrays.kvstore.ByteRange;
import org.junit.jupiter.api.Test;

/** HTTP Range headers are inclusive at both ends; ours are half-open: check the translation. */
class JdkHttpRangeHeaderTest {
    @Test
    void translatesEveryRangeForm() {
        assertNull(JdkHttp.rangeHeader(ByteRange.ALL));
        assertEquals("bytes=10-19", JdkHttp.rangeHeader(ByteRange.of(10, 20)));
        assertEquals("bytes=0-0", JdkHttp.rangeHeader(ByteRange.of(0, 1)));
        assertEquals("bytes=5-", JdkHttp.rangeHeader(ByteRange.of(5, Long.MAX_VALUE)));
        assertEquals("bytes=-16", JdkHttp.rangeHeader(ByteRange.suffix(16)));
    }
}
