package org.bigarrays.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The query of a request as names to values, checked: a name given twice, or one the route
 * does not take, is a 400 that names it (a repeated {@code box=} silently answering the last
 * box, or a misspelt {@code mpi=2} answering mip 0, would be a wrong answer that looks right).
 */
final class QueryParameters {
    private QueryParameters() {}

    /**
     * @param rawQuery the query as sent (percent-encoded), or null
     * @param allowed the names the route takes
     * @throws HttpError 400 naming every repeated and every unknown parameter
     */
    static Map<String, String> parse(String rawQuery, Set<String> allowed) {
        Map<String, String> q = new LinkedHashMap<>();
        Set<String> repeated = new TreeSet<>();
        Set<String> unknown = new TreeSet<>();
        if (rawQuery != null) {
            for (String kv : rawQuery.split("&")) {
                if (kv.isEmpty()) continue;
                int eq = kv.indexOf('=');
                String k;
                String v;
                try {
                    k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
                    v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    throw new HttpError(400, "query parameter '" + kv + "': bad percent-encoding");
                }
                if (!allowed.contains(k)) unknown.add(k);
                else if (q.putIfAbsent(k, v) != null) repeated.add(k);
            }
        }
        if (!unknown.isEmpty() || !repeated.isEmpty()) {
            StringBuilder m = new StringBuilder();
            if (!unknown.isEmpty()) m.append("unknown parameter").append(unknown.size() > 1 ? "s " : " ").append(quoted(unknown));
            if (!repeated.isEmpty()) {
                if (!m.isEmpty()) m.append("; ");
                m.append("parameter").append(repeated.size() > 1 ? "s " : " ").append(quoted(repeated)).append(" given more than once");
            }
            m.append(": expected each of ").append(quoted(new TreeSet<>(allowed))).append(" at most once");
            throw new HttpError(400, m.toString());
        }
        return q;
    }

    private static String quoted(Set<String> names) {
        StringBuilder b = new StringBuilder();
        for (String n : names) {
            if (!b.isEmpty()) b.append(", ");
            b.append('\'').append(n).append('\'');
        }
        return b.toString();
    }
}
