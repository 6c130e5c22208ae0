package org.bigarrays.bench.serveload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Debian's nginx serving a layer's files as static files on 127.0.0.1 (the chunk-GET limit), and
 * under {@code /static/} a folder of files the size of each cutout class (the HTTP ceiling for cutouts):
 * foreground master ({@code daemon off}), one worker per core, sendfile, keep-alive, no access
 * log, its config, pid file and temp folders in {@code dir}.
 */
final class Nginx {
    private Nginx() {}

    /** The nginx binary, or null when it is not installed. */
    static Path binary() {
        for (String p : List.of("/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx")) {
            if (Files.isExecutable(Path.of(p))) return Path.of(p);
        }
        return null;
    }

    /** Starts nginx serving {@code layerDir} at {@code /<name>/} and {@code staticDir} at {@code /static/}. */
    static ServerProcess start(Path binary, Path dir, String name, Path layerDir, Path staticDir) throws IOException, InterruptedException {
        Files.createDirectories(dir.resolve("tmp"));
        int port = ServerProcess.freePort();
        String t = dir.resolve("tmp").toString();
        // As root the workers would run as 'nobody'; root may read the layer wherever it is.
        String user = "root".equals(System.getProperty("user.name")) ? "user root;\n" : "";
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, user + """
                worker_processes auto;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 1024; }
                http {
                  access_log off;
                  sendfile on;
                  tcp_nopush on;
                  keepalive_requests 1000000;
                  default_type application/octet-stream;
                  client_body_temp_path %2$s/body;
                  proxy_temp_path %2$s/proxy;
                  fastcgi_temp_path %2$s/fastcgi;
                  uwsgi_temp_path %2$s/uwsgi;
                  scgi_temp_path %2$s/scgi;
                  server {
                    listen 127.0.0.1:%3$d;
                    location /%4$s/ { alias %5$s/; }
                    location /static/ { alias %6$s/; }
                  }
                }
                """.formatted(dir, t, port, name, layerDir.toAbsolutePath(), staticDir.toAbsolutePath()));
        return ServerProcess.start(List.of(binary.toString(), "-p", dir.toString(), "-c", conf.toString(), "-g", "daemon off;"), Map.of(), port,
                "/" + name + "/info", dir.resolve("nginx.out"), Duration.ofSeconds(20));
    }
}
