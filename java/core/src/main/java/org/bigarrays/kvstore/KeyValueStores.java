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

    /** The forms {@link #toUri} accepts, for error messages. */
    public static final String ACCEPTED_FORMS = "a path (relative or absolute), file:///absolute/path, mem://name/path,"
            + " s3://bucket/path, gs://bucket/path, http(s)://host/path (read-only), each optionally after Neuroglancer's precomputed://,"
            + " zarr3://, zarr2:// or zarr://";

    private static final java.util.regex.Pattern SCHEME = java.util.regex.Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*):");
    private static final String PRECOMPUTED = "precomputed://";
    /** Neuroglancer's data source prefixes this library reads (the format is detected, or taken from the prefix by the array layer). */
    private static final java.util.List<String> FORMAT_PREFIXES = java.util.List.of(PRECOMPUTED, "zarr3://", "zarr2://", "zarr://");
    /** Neuroglancer's newer pipeline suffixes: {@code gs://bucket/x/|zarr3:}. */
    private static final java.util.List<String> FORMAT_SUFFIXES = java.util.List.of("|neuroglancer-precomputed:", "|zarr3:", "|zarr2:", "|zarr:");
    private static final java.util.Set<String> ZARR_SCHEMES = java.util.Set.of("zarr", "zarr2", "zarr3");
    /** Schemes taken as URLs even without "//" ({@code file:/abs}, as {@link java.io.File#toURI} and older BigArrays wrote it). */
    private static final java.util.Set<String> BUILT_IN = java.util.Set.of("file", "mem", "s3", "gs", "http", "https");
    /** Schemes whose URLs name a bucket or host after "//" (mem:// and providers' own schemes may not). */
    private static final java.util.Set<String> NEEDS_AUTHORITY = java.util.Set.of("s3", "gs", "http", "https");

    /**
     * The format a location names by Neuroglancer's prefix or suffix ({@code zarr3://x},
     * {@code x|zarr2:}, {@code precomputed://x}): precomputed, zarr3, zarr2, or zarr (Zarr of
     * either version); null when it names none.
     */
    public static String formatOf(String location) {
        if (location == null) return null;
        String loc = location.trim();
        for (String prefix : FORMAT_PREFIXES) {
            if (loc.regionMatches(true, 0, prefix, 0, prefix.length())) return prefix.substring(0, prefix.length() - 3).toLowerCase(java.util.Locale.ROOT);
        }
        for (String suffix : FORMAT_SUFFIXES) {
            if (loc.endsWith(suffix)) return suffix.equals("|neuroglancer-precomputed:") ? "precomputed" : suffix.substring(1, suffix.length() - 1);
        }
        return null;
    }

    /**
     * Parse a user-supplied location into the canonical URI of a store root: absolute, its path
     * ending in '/'. The one parser of locations: every command and the library itself (reopening
     * a layer from {@link org.bigarrays.array.BigArray#uri()}) go through it, and it accepts its
     * own output, so {@code toUri(toUri(x).toString()).equals(toUri(x))} for every accepted
     * {@code x}. Accepted forms ({@link #ACCEPTED_FORMS}):
     * <ul>
     * <li>a plain path, relative (to the working directory) or absolute;
     * <li>{@code file:///abs/path}, {@code file://localhost/abs/path} and {@code file:/abs/path},
     *     with or without a trailing slash; canonical form {@code file:///abs/path/};
     * <li>{@code mem://name/path}, {@code s3://bucket/path}, {@code gs://bucket/path},
     *     {@code http(s)://host/path}, and any scheme a {@link KeyValueStoreProvider} adds;
     * <li>any of these after Neuroglancer's {@code precomputed://} prefix (as its UI shows a
     *     source: {@code precomputed://gs://bucket/x}), or before its {@code |neuroglancer-precomputed:} suffix.
     * </ul>
     * Query parameters ({@code ?endpoint=}, {@code ?fsync=false}) are kept.
     * @throws InvalidInputException with one line naming {@code location} and the accepted forms
     */
    public static URI toUri(String location) {
        if (location == null || location.isBlank()) throw invalid(location == null ? "" : location, "empty URL");
        String loc = location.trim();
        for (String prefix : FORMAT_PREFIXES) {
            if (loc.regionMatches(true, 0, prefix, 0, prefix.length())) {
                loc = loc.substring(prefix.length());
                if (loc.isEmpty()) throw invalid(location, "nothing after " + prefix);
                break;
            }
        }
        for (String suffix : FORMAT_SUFFIXES) if (loc.endsWith(suffix)) loc = loc.substring(0, loc.length() - suffix.length());
        java.util.regex.Matcher m = SCHEME.matcher(loc);
        String scheme = m.find() ? m.group(1).toLowerCase(java.util.Locale.ROOT) : null;
        boolean url = scheme != null && (loc.startsWith("//", m.end()) || BUILT_IN.contains(scheme) || scheme.equals("precomputed") || ZARR_SCHEMES.contains(scheme)
                || Providers.BY_SCHEME.containsKey(scheme));
        if (!url) {
            // A plain path (also "a:b", a relative name with a colon in it).
            try {
                return withTrailingSlash(Path.of(loc).toAbsolutePath().normalize().toUri());
            } catch (java.nio.file.InvalidPathException e) {
                throw invalid(location, "not a valid path: " + e.getReason());
            }
        }
        if (scheme.equals("precomputed") || ZARR_SCHEMES.contains(scheme)) throw invalid(location, scheme + ": needs '//' and a store URL after it");
        URI uri;
        try {
            uri = new URI(loc);
        } catch (URISyntaxException e) {
            throw invalid(location, e.getReason() + " at index " + e.getIndex());
        }
        if (uri.isOpaque()) throw invalid(location, scheme + ": needs '//' (" + scheme + "://...)" + (scheme.equals("file") ? " or an absolute path (file:///...)" : ""));
        if (uri.getRawFragment() != null) throw invalid(location, "a URL of a store has no #fragment");
        String auth = uri.getRawAuthority();
        if (scheme.equals("file")) {
            if (auth != null && !auth.isEmpty() && !auth.equalsIgnoreCase("localhost")) {
                // "file://data/em" names host "data" and path "/em": surely not what was meant.
                throw invalid(location, "names host '" + auth + "'; use file:///absolute/path or a plain (relative) path");
            }
            String path = uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
            URI p;
            try {
                p = Path.of(path).normalize().toUri();
            } catch (java.nio.file.InvalidPathException e) {
                throw invalid(location, "not a valid path: " + e.getReason());
            }
            return build("file", "", p.getRawPath(), uri.getRawQuery());
        }
        if ((auth == null || auth.isEmpty()) && NEEDS_AUTHORITY.contains(scheme)) {
            throw invalid(location, scheme + ":// needs a " + (scheme.equals("s3") || scheme.equals("gs") ? "bucket" : "host") + " after '//'");
        }
        return build(scheme, auth == null ? "" : auth, uri.getRawPath(), uri.getRawQuery());
    }

    /** The canonical form of {@code uri} (see {@link #toUri(String)}); a canonical URI is returned as it is. */
    public static URI toUri(URI uri) {
        return toUri(uri.toString());
    }

    private static InvalidInputException invalid(String location, String why) {
        return new InvalidInputException("invalid URL '" + location + "': " + why + "; expected " + ACCEPTED_FORMS);
    }

    /**
     * The URI {@code scheme://authority/path/?query}: always with "//" (so that its string is a
     * URL every parser takes, {@code file:///abs/} rather than {@code file:/abs/}), the path
     * absolute and ending in '/'.
     */
    private static URI build(String scheme, String rawAuthority, String rawPath, String rawQuery) {
        String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        if (!path.startsWith("/")) path = "/" + path;
        if (!path.endsWith("/")) path = path + "/";
        return URI.create(scheme + "://" + (rawAuthority == null ? "" : rawAuthority) + path + (rawQuery == null ? "" : "?" + rawQuery));
    }

    /** The same URI with its path ending in '/', so that {@link URI#resolve} treats it as a directory. */
    public static URI withTrailingSlash(URI uri) {
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.endsWith("/") && (uri.getRawAuthority() != null || uri.toString().startsWith(uri.getScheme() + "://"))) return uri;
        return build(uri.getScheme(), uri.getRawAuthority(), path, uri.getRawQuery());
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
                        + "; this class path opens file://, mem://" + (Providers.BY_SCHEME.isEmpty() ? "" : ", " + String.join("://, ", Providers.BY_SCHEME.keySet()) + "://") + hint
                        + "; accepted forms: " + ACCEPTED_FORMS);
            }
        };
    }

    /**
     * {@code base} resolved against the relative path {@code child}, keeping {@code base}'s query
     * (which {@link URI#resolve} drops): store settings such as {@code ?endpoint=} carry over.
     */
    public static URI resolve(URI base, String child) {
        URI r = base.resolve(child);
        if (r.isOpaque() || r.getScheme() == null) return r;
        String query = r.getRawQuery() != null ? r.getRawQuery() : base.getRawQuery();
        // Always "scheme://": URI.resolve turns file:///abs/ into file:/abs/, a form fewer parsers take.
        return URI.create(r.getScheme() + "://" + (r.getRawAuthority() == null ? "" : r.getRawAuthority()) + r.getRawPath()
                + (query == null ? "" : "?" + query));
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
