/**
 * {@code bigarrays serve}: an HTTP server (the JDK's {@code com.sun.net.httpserver}) that serves
 * precomputed layers from any store, and cutouts from a decoded-chunk cache shared by all requests.
 */
module org.bigarrays.server {
    requires org.bigarrays.core;
    requires jdk.httpserver;
    requires org.slf4j;
    requires com.fasterxml.jackson.databind;

    exports org.bigarrays.server;
}
