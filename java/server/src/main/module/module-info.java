/**
 * {@code bigarrays serve}: an HTTP server (Jetty, core handlers on virtual threads) that serves
 * precomputed layers from any store, and cutouts from a decoded-chunk cache shared by all requests.
 */
module org.bigarrays.server {
    requires org.bigarrays.core;
    requires org.eclipse.jetty.server;
    requires org.eclipse.jetty.http;
    requires org.eclipse.jetty.io;
    requires org.eclipse.jetty.util;
    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.model;
    requires io.prometheus.writer.text;
    requires org.slf4j;
    requires com.fasterxml.jackson.databind;

    exports org.bigarrays.server;
}
