/** The {@code gs://} store (Google Cloud Storage JSON API over the JDK HttpClient). */
module org.bigarrays.gcs {
    requires org.bigarrays.core;
    requires com.fasterxml.jackson.databind;
    requires org.slf4j;
    requires java.net.http;

    provides org.bigarrays.kvstore.KeyValueStoreProvider with org.bigarrays.kvstore.gcs.GcsStoreProvider;
}
