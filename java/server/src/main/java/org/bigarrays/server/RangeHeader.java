package org.bigarrays.server;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bigarrays.kvstore.ByteRange;

/**
 * HTTP {@code Range} headers of one range, {@code bytes=a-b} or {@code bytes=a-} (what shard
 * readers send). A suffix range ({@code bytes=-n}) or several ranges are answered with the whole
 * value (200), which HTTP allows a server to do.
 */
final class RangeHeader {
    private static final Pattern ONE = Pattern.compile("\\s*bytes\\s*=\\s*(\\d{1,18})\\s*-\\s*(\\d{0,18})\\s*");

    private RangeHeader() {}

    /**
     * The range asked for ({@code bytes=0-} too, which asks for a 206 with the size); null when
     * there is no header or it is to be ignored.
     */
    static ByteRange parse(String header) {
        if (header == null) return null;
        Matcher m = ONE.matcher(header);
        if (!m.matches()) {
            if (header.trim().startsWith("bytes")) return null; // suffix or multiple ranges: send it all
            throw new HttpError(400, "Range header '" + header + "': expected bytes=start-end");
        }
        long start = Long.parseLong(m.group(1));
        if (m.group(2).isEmpty()) return ByteRange.of(start, Long.MAX_VALUE);
        long last = Long.parseLong(m.group(2));
        if (last < start) throw new HttpError(416, "Range header '" + header + "': last byte before the first");
        return ByteRange.of(start, last + 1);
    }
}
