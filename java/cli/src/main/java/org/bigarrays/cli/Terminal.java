package org.bigarrays.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.bigarrays.array.ProgressListener;

/** Progress bars on stderr, only when stderr is a terminal (quiet when piped or redirected). */
final class Terminal {
    private Terminal() {}

    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (Exception e) {
            return false;
        }
    }

    /** A listener that drives a progress bar named {@code task}; close the returned bar when done. */
    static final class Bar implements AutoCloseable {
        private ProgressBar bar;
        private final String task;
        private final boolean enabled;
        private final String unit;
        private final long unitSize;

        /** A bar counting chunks (the listeners of writes, transcode, downsample, ingest, verify). */
        Bar(String task) {
            this(task, " chunks", 1);
        }

        private Bar(String task, String unit, long unitSize) {
            this.task = task;
            this.unit = unit;
            this.unitSize = unitSize;
            this.enabled = stderrIsTerminal();
        }

        /** A bar whose listener is given bytes (streamed cutouts count bytes written), shown in MB. */
        static Bar bytes(String task) {
            return new Bar(task, " MB", 1_000_000);
        }

        /** The unit the bar shows, e.g. " MB" (for tests). */
        String unit() {
            return unit;
        }

        ProgressListener listener() {
            if (!enabled) return ProgressListener.NONE;
            return (done, total) -> {
                synchronized (this) {
                    if (bar == null) {
                        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit(unit, unitSize)
                                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err)).build();
                    }
                    bar.stepTo(done);
                }
            };
        }

        @Override
        public synchronized void close() {
            if (bar != null) bar.close();
            bar = null;
        }
    }
}
