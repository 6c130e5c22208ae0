/**
 * BigArrays core: Neuroglancer precomputed N-d arrays over key-value stores (file, memory,
 * read-only HTTP), with the chunk layer, format, codecs and sharding. Cloud stores come from
 * their own modules through {@link org.bigarrays.kvstore.KeyValueStoreProvider}. Exported to
 * everyone: the facade ({@code array}), the vocabulary ({@code core}, the exceptions), the stores
 * ({@code kvstore}), the precomputed metadata, and the packages whose types the API's signatures
 * name (codecs, chunks, sharding, downsampling). Ingest, the native bindings and the remote-store
 * plumbing are exported by name to the project's own modules that build on them; the HTTP store's
 * internals not at all.
 */
// Qualified exports name modules that are not on core's module path when it compiles (they build
// on core): javac's "module not found" warnings for them say nothing.
@SuppressWarnings("module")
module org.bigarrays.core {
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires com.github.luben.zstd_jni;
    requires org.lz4.java;
    requires java.net.http;
    requires java.desktop; // ImageIO: the pure-Java twins of the jpeg and png codecs

    // The API a user reaches: the facade, the vocabulary, the stores and the precomputed metadata,
    // and the packages whose types its signatures name (Compression and Encoding, ShardingSpec,
    // DownsampleMethod, ChunkCache): a module-path user must be able to name every type of the
    // API (ModuleDescriptorTest). Moving those few types down into the vocabulary would let
    // codec, sharding, downsample and chunk go by name too; not done yet.
    exports org.bigarrays;
    exports org.bigarrays.array;
    exports org.bigarrays.core;
    exports org.bigarrays.kvstore;
    exports org.bigarrays.precomputed;
    exports org.bigarrays.codec;
    exports org.bigarrays.sharding;
    exports org.bigarrays.downsample;
    exports org.bigarrays.chunk;
    // The layers below, only to the modules of this project that build on them (cli, spark,
    // imglib2 and options run on the class path; these are the names their jars would take).
    exports org.bigarrays.ingest to org.bigarrays.cli, org.bigarrays.spark;
    exports org.bigarrays.nativ to org.bigarrays.cli; // `version` and `demo` report the native libraries in use
    exports org.bigarrays.kvstore.remote to org.bigarrays.s3, org.bigarrays.gcs;

    uses org.bigarrays.kvstore.KeyValueStoreProvider;
    provides org.bigarrays.kvstore.KeyValueStoreProvider with org.bigarrays.kvstore.http.HttpStoreProvider;
}
