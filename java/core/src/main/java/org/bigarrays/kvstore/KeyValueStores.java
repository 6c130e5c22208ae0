package org.bigarrays.kvstore;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import org.bigarrays.InvalidInputException;

/**
 * Opens a store from a URL: the one place URLs are parsed. Built in: {@code file://} and plain
 * paths, {@code mem://name/path} (process-wide named in-memory stores). Others come from
 * {@link KeyValueStoreProvider}s on the class path: read-only {@code http(s)://} (this module),
 * {@code s3://bucket/path} (module bigarrays-s3), {@code gs://bucket/path} (module bigarrays-gcs).
 * Query parameters (endpoint, region, retry settings) are kept by {@link #resolve}, so sub-stores
 * opened from a layer's URL inherit them.
 */
public final class KeyValueStores {
    private static final ConcurrentHashMap<String, MemoryStore> MEMORY = new ConcurrentHashMap<>();

    private KeyValueStores() {}

    /** Parse a user-supplied location (URL or plain path) into an absolute URI ending in '/'. */
    public static URI toUri(String location) {
        if (location == null || location.isBlank()) throw new InvalidInputException("empty URL");
        String loc = location.trim();
        URI uri;
        if (!loc.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            uri = Path.of(loc).toAbsolutePath().normalize().toUri();
        } else {
            try {
                uri = new URI(loc);
            } catch (URISyntaxException e) {
                throw new InvalidInputException("invalid URL '" + location + "': " + e.getMessage());
            }
        }
        return withTrailingSlash(uri);
    }

    /** The same URI with its path ending in '/', so that {@link URI#resolve} treats it as a directory. */
    public static URI withTrailingSlash(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.endsWith("/")) return uri;
        String auth = uri.getRawAuthority() == null ? "" : "//" + uri.getRawAuthority();
        String query = uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery();
        return URI.create(uri.getScheme() + ":" + auth + path + "/" + query);
    }

    /** Open the store rooted at {@code location}. */
    public static KeyValueStore open(String location) {
        return open(toUri(location));
    }

    /** Open the store rooted at {@code uri} (a directory-like URI ending in '/'). */
    public static KeyValueStore open(URI uri) {
        String scheme = uri.getScheme() == null ? "file" : uri.getScheme().toLowerCase();
        String display = uri.toString();
        return switch (scheme) {
            case "file" -> {
                String host = uri.getRawAuthority();
                if (host != null && !host.isEmpty() && !host.equalsIgnoreCase("localhost")) {
                    // "file://data/em" names host "data" and path "/em": surely not what was meant.
                    throw new InvalidInputException("file URL " + display + " names host '" + host
                            + "'; use file:///absolute/path or a plain (relative) path");
                }
                // ?followLinks=true (or the system property) allows writing through a symbolic link out of the layer
                String follow = queryParam(uri, "followLinks");
                if (follow == null) follow = System.getProperty(FileStore.FOLLOW_LINKS_PROPERTY);
                yield new FileStore(Path.of(URI.create("file://" + uri.getRawPath())), !"false".equals(queryParam(uri, "fsync")), "true".equals(follow));
            }
            case "mem" -> {
                String name = uri.getAuthority() == null ? "" : uri.getAuthority();
                MemoryStore base = MEMORY.computeIfAbsent(name, n -> new MemoryStore("mem://" + n + "/"));
                String path = uri.getPath() == null ? "" : uri.getPath();
                String prefix = path.replaceAll("^/+", "").replaceAll("/+$", "");
                yield prefix.isEmpty() ? base : new PrefixedStore(base, prefix, display);
            }
            default -> {
                KeyValueStoreProvider p = Providers.BY_SCHEME.get(scheme);
                if (p != null) yield p.open(uri);
                String hint = switch (scheme) {
                    case "s3" -> "; s3:// needs the bigarrays-s3 module on the class path";
                    case "gs" -> "; gs:// needs the bigarrays-gcs module on the class path";
                    default -> "";
                };
                throw new InvalidInputException("unknown URL scheme '" + scheme + "' in " + display
                        + "; expected file://, mem://" + (Providers.BY_SCHEME.isEmpty() ? "" : ", " + String.join("://, ", Providers.BY_SCHEME.keySet()) + "://") + hint);
            }
        };
    }

    /**
     * {@code base} resolved against the relative path {@code child}, keeping {@code base}'s query
     * (which {@link URI#resolve} drops): store settings such as {@code ?endpoint=} carry over.
     */
    public static URI resolve(URI base, String child) {
        URI r = base.resolve(child);
        if (base.getRawQuery() == null || r.getRawQuery() != null) return r;
        String auth = r.getRawAuthority() == null ? "" : "//" + r.getRawAuthority();
        return URI.create(r.getScheme() + ":" + auth + r.getRawPath() + "?" + base.getRawQuery());
    }

    /** Store providers found on the class path, by scheme; loaded once. */
    private static final class Providers {
        static final java.util.Map<String, KeyValueStoreProvider> BY_SCHEME = load();

        private static java.util.Map<String, KeyValueStoreProvider> load() {
            java.util.Map<String, KeyValueStoreProvider> m = new java.util.TreeMap<>();
            for (KeyValueStoreProvider p : java.util.ServiceLoader.load(KeyValueStoreProvider.class)) {
                for (String s : p.schemes()) m.putIfAbsent(s.toLowerCase(java.util.Locale.ROOT), p);
            }
            return java.util.Collections.unmodifiableMap(m);
        }
    }

    /** Forget a named in-memory store (tests). */
    public static void dropMemory(String name) {
        MEMORY.remove(name);
    }

    /** The value of query parameter {@code name} in {@code uri}, or null. */
    public static String queryParam(URI uri, String name) {
        String q = uri.getQuery();
        if (q == null) return null;
        for (String kv : q.split("&")) {
            int i = kv.indexOf('=');
            if (i > 0 && kv.substring(0, i).equals(name)) return kv.substring(i + 1);
        }
        return null;
    }
}
