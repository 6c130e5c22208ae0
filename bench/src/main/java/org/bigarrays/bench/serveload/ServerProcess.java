package org.bigarrays.bench.serveload;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A server under test run as its own process (stdout and stderr to a log file), ready once
 * {@code GET readyPath} answers 200; its peak RSS is the kernel's {@code VmHWM} of that process.
 * Closing sends SIGTERM, then SIGKILL (to it and its descendants) after 10 s; processes still
 * running when the JVM exits (Ctrl-C) are stopped the same way by a shutdown hook.
 */
final class ServerProcess implements AutoCloseable {
    private static final java.util.Set<ServerProcess> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> List.copyOf(LIVE).forEach(ServerProcess::close), "serve-load-stop-servers"));
    }

    final int port;
    final Path log;
    private final Process process;

    private ServerProcess(int port, Path log, Process process) {
        this.port = port;
        this.log = log;
        this.process = process;
    }

    /** A free loopback port (the moment it is asked). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static ServerProcess start(List<String> command, Map<String, String> env, int port, String readyPath, Path log, Duration patience)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        ServerProcess s = new ServerProcess(port, log, p);
        LIVE.add(s);
        long deadline = System.nanoTime() + patience.toNanos();
        URI ready = URI.create("http://127.0.0.1:" + port + readyPath);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException(command.getFirst() + " exited with " + p.exitValue() + " before answering; its log:\n" + tail(log));
            try {
                HttpURLConnection c = (HttpURLConnection) ready.toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(5000);
                int code = c.getResponseCode();
                c.getInputStream().readAllBytes();
                c.disconnect();
                if (code == 200) return s;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        s.close();
        throw new IllegalStateException(command.getFirst() + " did not answer GET " + readyPath + " within " + patience.toSeconds() + " s; its log:\n" + tail(log));
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Peak resident set of the process so far (VmHWM), in bytes; -1 when it cannot be read. */
    long peakRssBytes() {
        return statusKiB("VmHWM:") * 1024;
    }

    private long statusKiB(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith(field)) return Long.parseLong(line.substring(field.length()).replace("kB", "").trim());
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return -1;
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        List<ProcessHandle> children = process.descendants().toList(); // nginx's workers
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            children.forEach(ProcessHandle::destroyForcibly);
            LIVE.remove(this);
        }
    }
}
