package org.bigarrays.kvstore;

import java.net.URI;
import java.util.Set;

/**
 * Opens stores for some URL schemes. Found through {@link java.util.ServiceLoader}, so the S3 and
 * GCS stores live in modules of their own and a pipeline that reads only local layers does not
 * carry a cloud SDK. Implementations need a public no-argument constructor and a
 * {@code META-INF/services/org.bigarrays.kvstore.KeyValueStoreProvider} entry.
 */
public interface KeyValueStoreProvider {
    /** The lower-case URL schemes this provider opens, e.g. {@code "s3"}. */
    Set<String> schemes();

    /** Open the store rooted at {@code uri} (a directory-like URI ending in '/'). */
    KeyValueStore open(URI uri);
}
