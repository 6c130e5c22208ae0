/**
 * BigArrays core: Neuroglancer precomputed N-d arrays over key-value stores (file, memory,
 * read-only HTTP), with the chunk layer, format, codecs and sharding. Cloud stores come from
 * their own modules through {@link org.bigarrays.kvstore.KeyValueStoreProvider}. Not exported:
 * the native bindings ({@code nativ}), the HTTP store's internals and the remote-store plumbing
 * (shared with the store modules only).
 */
module org.bigarrays.core {
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires com.github.luben.zstd_jni;
    requires org.lz4.java;
    requires java.net.http;
    requires java.desktop; // ImageIO: the pure-Java twins of the jpeg and png codecs

    exports org.bigarrays;
    exports org.bigarrays.core;
    exports org.bigarrays.kvstore;
    exports org.bigarrays.codec;
    exports org.bigarrays.sharding;
    exports org.bigarrays.precomputed;
    exports org.bigarrays.chunk;
    exports org.bigarrays.array;
    exports org.bigarrays.ingest;
    exports org.bigarrays.downsample;
    exports org.bigarrays.kvstore.remote to org.bigarrays.s3, org.bigarrays.gcs;

    uses org.bigarrays.kvstore.KeyValueStoreProvider;
    provides org.bigarrays.kvstore.KeyValueStoreProvider with org.bigarrays.kvstore.http.HttpStoreProvider;
}
