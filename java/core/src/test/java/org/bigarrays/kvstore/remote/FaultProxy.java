package org.bigarrays.kvstore.remote;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP/1.1 proxy on 127.0.0.1 that sits between a client and a server and, at a set rate,
 * misbehaves: drops the connection before or after forwarding, answers 500/503/429 itself,
 * stalls past the client's timeout, or truncates the response body. Each client connection
 * carries one request (answers say {@code Connection: close}), so faults never leak between
 * requests. Counts every request it receives and every fault it injects.
 */
public final class FaultProxy implements AutoCloseable {
    /** What can go wrong with one request. */
    public enum Fault {
        /** Close the connection without forwarding: the server never saw the request. */
        DROP_BEFORE,
        /** Forward (the server acts), then close without answering. */
        DROP_AFTER,
        STATUS_500,
        STATUS_503,
        STATUS_429,
        /** Hold the request past the client's timeout, then close. */
        STALL,
        /** Forward, then send the headers but only half of the body. */
        TRUNCATE
    }

    private final int upstreamPort;
    private final double rate;
    private final List<Fault> faults;
    private final Duration stall;
    private final Random random;
    private final ServerSocket server;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicLong requests = new AtomicLong();
    private final Map<Fault, AtomicLong> injected = new EnumMap<>(Fault.class);
    private volatile double currentRate;
    private volatile boolean garble;
    private volatile boolean lateAnswers;

    /**
     * @param upstreamPort the real server's port on 127.0.0.1
     * @param rate fraction of requests that get a fault, 0..1
     * @param faults the faults to pick from, uniformly
     * @param stall how long {@link Fault#STALL} holds a request
     * @param seed for the random choices
     */
    public FaultProxy(int upstreamPort, double rate, List<Fault> faults, Duration stall, long seed) throws IOException {
        this.upstreamPort = upstreamPort;
        this.rate = rate;
        this.currentRate = rate;
        this.faults = List.copyOf(faults);
        this.stall = stall;
        this.random = new Random(seed);
        for (Fault f : Fault.values()) injected.put(f, new AtomicLong());
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("fault-proxy-accept").start(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    /** Requests received so far. */
    public long requests() {
        return requests.get();
    }

    /** Faults injected so far, all kinds. */
    public long faultsInjected() {
        return injected.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public Map<Fault, Long> injectedByKind() {
        Map<Fault, Long> m = new EnumMap<>(Fault.class);
        injected.forEach((k, v) -> m.put(k, v.get()));
        return m;
    }

    /**
     * Whether {@link Fault#TRUNCATE} sends the half body with every byte inverted: a failed
     * attempt whose bytes, had they been kept, would be wrong (off by default).
     */
    public void garbleTruncatedBodies(boolean on) {
        garble = on;
    }

    /**
     * Whether {@link Fault#STALL} answers after its stall (with the whole body garbled when
     * {@link #garbleTruncatedBodies} is on) instead of closing: an answer that reaches the client
     * after it gave the attempt up (off by default).
     */
    public void answerAfterStalls(boolean on) {
        lateAnswers = on;
    }

    /** Turn faults off (0) or back on at the configured rate. */
    public void setEnabled(boolean on) {
        currentRate = on ? rate : 0;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                workers.submit(() -> handle(s));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private Fault choose() {
        synchronized (random) {
            if (random.nextDouble() >= currentRate) return null;
            return faults.get(random.nextInt(faults.size()));
        }
    }

    private void handle(Socket client) {
        try (client) {
            InputStream in = new java.io.BufferedInputStream(client.getInputStream());
            byte[] head = readHead(in);
            if (head == null) return;
            String headText = new String(head, StandardCharsets.ISO_8859_1);
            if (headText.toLowerCase(Locale.ROOT).contains("\r\nexpect: 100-continue")) {
                // Let the client send its body now; the upstream request goes without Expect.
                client.getOutputStream().write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                client.getOutputStream().flush();
            }
            byte[] body = in.readNBytes((int) contentLength(headText));
            requests.incrementAndGet();
            Fault f = choose();
            if (f != null) injected.get(f).incrementAndGet();
            OutputStream out = client.getOutputStream();
            if (f == Fault.DROP_BEFORE) return;
            if (f == Fault.STALL) {
                Thread.sleep(stall);
                if (!lateAnswers) return;
                byte[] late = forward(withConnectionClose(headText), body);
                if (garble) for (int i = indexOfHeadEnd(late); i < late.length; i++) late[i] = (byte) ~late[i];
                out.write(late);
                out.flush();
                return;
            }
            if (f == Fault.STATUS_500 || f == Fault.STATUS_503 || f == Fault.STATUS_429) {
                int code = f == Fault.STATUS_500 ? 500 : f == Fault.STATUS_503 ? 503 : 429;
                byte[] msg = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + (code == 500 ? "InternalError" : "SlowDown")
                        + "</Code><Message>injected fault</Message></Error>").getBytes(StandardCharsets.UTF_8);
                out.write(("HTTP/1.1 " + code + " Injected\r\nContent-Type: application/xml\r\nContent-Length: " + msg.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                out.write(msg);
                out.flush();
                return;
            }
            byte[] response = forward(withConnectionClose(headText), body);
            if (f == Fault.DROP_AFTER) return;
            if (f == Fault.TRUNCATE) {
                int bodyStart = indexOfHeadEnd(response);
                int bodyLen = response.length - bodyStart;
                if (bodyLen > 1) {
                    if (garble) for (int i = bodyStart; i < bodyStart + bodyLen / 2; i++) response[i] = (byte) ~response[i];
                    out.write(response, 0, bodyStart + bodyLen / 2);
                    out.flush();
                    client.setSoLinger(true, 0); // reset, as a broken connection would
                    return;
                }
            }
            out.write(response);
            out.flush();
        } catch (IOException | InterruptedException e) {
            // the client went away; nothing to do
        }
    }

    private byte[] forward(String head, byte[] body) throws IOException {
        try (Socket up = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            OutputStream o = up.getOutputStream();
            o.write(head.getBytes(StandardCharsets.ISO_8859_1));
            o.write(body);
            o.flush();
            return up.getInputStream().readAllBytes(); // the server closes after answering (Connection: close)
        }
    }

    private static String withConnectionClose(String head) {
        StringBuilder sb = new StringBuilder();
        for (String line : head.split("\r\n")) {
            if (line.isEmpty()) continue;
            String lower = line.toLowerCase(Locale.ROOT);
            if (lower.startsWith("connection:") || lower.startsWith("expect:")) continue;
            sb.append(line).append("\r\n");
        }
        return sb.append("Connection: close\r\n\r\n").toString();
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            int c = line.indexOf(':');
            if (c > 0 && line.substring(0, c).trim().equalsIgnoreCase("content-length")) return Long.parseLong(line.substring(c + 1).trim());
        }
        return 0;
    }

    private static int indexOfHeadEnd(byte[] b) {
        for (int i = 0; i + 3 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') return i + 4;
        }
        return b.length;
    }

    /** The request line and headers up to and including the blank line, or null at end of stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int state = 0;
        while (true) {
            int c = in.read();
            if (c < 0) return buf.size() == 0 ? null : buf.toByteArray();
            buf.write(c);
            state = switch (state) {
                case 0, 2 -> c == '\r' ? state + 1 : 0;
                case 1 -> c == '\n' ? 2 : 0;
                case 3 -> c == '\n' ? 4 : 0;
                default -> 0;
            };
            if (state == 4) return buf.toByteArray();
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        workers.shutdownNow();
    }
}
