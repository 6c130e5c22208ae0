package org.bigarrays.server;

import java.util.regex.Pattern;
import org.bigarrays.InvalidInputException;
import org.bigarrays.kvstore.KeyValueStores;

/**
 * A layer to serve: its name in the server's URLs ({@code http://host:port/<name>/...}) and the
 * store URL it is read from. Written {@code NAME=URL}, or just {@code URL}, which is then named
 * by its last path element ({@code s3://bucket/em/} → {@code em}).
 */
public record LayerSpec(String name, String url) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern NAMED = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]*)=(.+)");

    public LayerSpec {
        if (!NAME.matcher(name).matches()) {
            throw new InvalidInputException("layer name '" + name + "': expected letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (url.isBlank()) throw new InvalidInputException("layer '" + name + "': empty URL");
    }

    /** Parse {@code NAME=URL} or {@code URL} (named by its last path element). */
    public static LayerSpec parse(String arg) {
        var m = NAMED.matcher(arg);
        if (m.matches()) { // a URL never matches: its scheme's ':' or its '/' comes before any '='
            return new LayerSpec(m.group(1), m.group(2));
        }
        // The canonical URL's path (no precomputed:// prefix, query or trailing slash): the one parser names every form alike.
        String path = KeyValueStores.toUri(arg).getPath();
        while (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        String last = path.substring(path.lastIndexOf('/') + 1);
        if (last.isEmpty() || !NAME.matcher(last).matches()) {
            throw new InvalidInputException("layer " + arg + ": cannot name it after its last path element '" + last + "'; write NAME=URL");
        }
        return new LayerSpec(last, arg);
    }
}
