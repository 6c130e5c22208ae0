package org.bigarrays.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import sun.misc.Signal;

/**
 * Waiting for SIGTERM or SIGINT in a long-running command ({@code serve}, {@code view}): the
 * signal ends the wait instead of the JVM, so the command can shut its server down gracefully
 * and exit with its own code: 0 after SIGTERM (an orderly stop asked by a supervisor), 130 after
 * SIGINT (Ctrl-C). Where signals cannot be caught, the JVM's shutdown hook ends the wait.
 */
final class Shutdown {
    private final CountDownLatch signalled = new CountDownLatch(1);
    private final AtomicInteger code = new AtomicInteger(Main.OK);

    Shutdown() {
        for (String name : new String[] {"TERM", "INT"}) {
            int exit = name.equals("INT") ? 130 : Main.OK;
            try {
                Signal.handle(new Signal(name), s -> {
                    code.compareAndSet(Main.OK, exit);
                    signalled.countDown();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                Runtime.getRuntime().addShutdownHook(new Thread(signalled::countDown));
            }
        }
    }

    /** Wait for the signal; returns the exit code it asks for. */
    int await() throws InterruptedException {
        signalled.await();
        return code.get();
    }
}
