package org.bigarrays.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;

/**
 * A response body as a blocking channel: each write returns once Jetty has written the bytes to
 * the socket (the caller's buffer is then free again), or throws when the client went away or
 * did not read for the write timeout.
 *
 * <p>A first write of at most {@link #HOLD} bytes (an npy header) is held back until the next
 * one, so that a store failure while the first tile is read is still answered with a status
 * (502) instead of a cut connection. Just before the write that completes {@code total} bytes,
 * {@code beforeLast} runs (a cutout gives its slot back there). A failure the client caused is
 * kept in {@link #clientFailure()}: callers that wrap IOExceptions (the streamed cutout does) can
 * still tell a lost client from a failed store.
 */
final class ResponseChannel implements WritableByteChannel {
    static final int HOLD = 4096;

    private final Response response;
    private final long total;
    private Runnable beforeLast;
    private ByteBuffer held;
    private long written;
    private IOException clientFailure;
    private boolean open = true;

    ResponseChannel(Response response, long total, Runnable beforeLast) {
        this.response = response;
        this.total = total;
        this.beforeLast = beforeLast;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        if (clientFailure != null) throw clientFailure;
        int n = src.remaining();
        if (n == 0) return 0;
        if (written == 0 && held == null && n <= HOLD && n < total) {
            held = ByteBuffer.allocate(n).put(src).flip();
            return n;
        }
        ByteBuffer first = held;
        held = null;
        long after = written + (first == null ? 0 : first.remaining()) + n;
        if (beforeLast != null && after >= total) {
            Runnable r = beforeLast;
            beforeLast = null;
            r.run();
        }
        if (first != null) send(first);
        // Jetty consumes the buffer it is given; hand it a view so the caller's position moves only here.
        send(src.slice());
        src.position(src.limit());
        return n;
    }

    /** Send what is held back, if anything (a body that was only the held write). */
    void flush() throws IOException {
        if (held != null) {
            ByteBuffer b = held;
            held = null;
            if (beforeLast != null) {
                beforeLast.run();
                beforeLast = null;
            }
            send(b);
        }
    }

    private void send(ByteBuffer b) throws IOException {
        int n = b.remaining();
        try (Blocker.Callback cb = Blocker.callback()) {
            response.write(false, b, cb);
            cb.block();
        } catch (IOException e) {
            clientFailure = e;
            throw e;
        } catch (RuntimeException e) {
            clientFailure = new IOException("response write failed: " + e, e);
            throw clientFailure;
        }
        written += n;
    }

    /** Bytes written so far. */
    long written() {
        return written;
    }

    /** Why a write failed (the client's side), or null. */
    IOException clientFailure() {
        return clientFailure;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }
}
