package org.bigarrays.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.bigarrays.InvalidInputException;
import org.bigarrays.array.Options;
import org.bigarrays.array.Verify;
import org.bigarrays.core.Box;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bigarrays verify URL [--mip N] [--box ...] [--json]}: decode every stored chunk and
 * report what is corrupt, missing, unfinished or stray. Exit 0 when no chunk is corrupt, 1 when
 * one is, 2 on bad usage.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Decode every stored chunk of a layer (in parallel) and name each corrupt one with the reason; count missing chunks "
                + "(normal for sparse layers), list unfinished jobs and stray files (temp files, unknown names).",
                "Exit 0: no corrupt chunk; 1: corrupt chunks, chunk names off the grid or unreadable shard indexes; 2: bad usage."})
final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL")
    String url;

    @Option(names = "--mip", paramLabel = "N", description = "check only this scale (default: every scale)")
    Integer mip;

    @Option(names = "--box", paramLabel = "x0,y0,z0:x1,y1,z1", description = "check only the chunks of this half-open box (voxels of --mip, default mip 0)")
    String box;

    @Option(names = "--json", description = "print the report as JSON on stdout")
    boolean json;

    @Option(names = "--threads", description = "decode workers (default: cores)")
    Integer threads;

    @Option(names = "--io", description = "chunk reads in flight (default: 4 x cores, at least 16)")
    Integer io;

    @Override
    public Integer call() {
        Box b = null;
        if (box != null) {
            b = Box.parse(box);
            if (b.rank() != 3) throw new InvalidInputException("--box " + box + ": expected x0,y0,z0:x1,y1,z1, found " + b.rank() + " coordinates");
        }
        int m = mip != null ? mip : b != null ? 0 : -1;
        Options o = Options.defaults();
        if (threads != null || io != null) o = o.withThreads(threads != null ? threads : o.cpuThreads(), io != null ? io : o.ioConcurrency());
        Verify.Report r;
        try (Terminal.Bar bar = new Terminal.Bar("verify")) {
            r = Verify.run(url, m, b, o.withProgress(bar.listener()));
        }
        if (json) {
            System.out.println(r.toJson());
        } else {
            print(r, System.out);
        }
        return r.clean() ? Main.OK : Main.FAILURE;
    }

    /** The human-readable report: a line per scale, then each problem on a line of its own. */
    static void print(Verify.Report r, PrintStream out) {
        out.printf("%s%n", r.url());
        for (Verify.ScaleReport s : r.scales()) {
            out.printf("  mip %d %-14s %s: %d stored, %d missing, %d corrupt of %d chunks, %.1f MB%n", s.mip(), s.key(),
                    s.sharded() ? "sharded" : "unsharded", s.stored(), s.missing(), s.corrupt().size(), s.cells(), s.bytes() / 1e6);
            for (Verify.Problem p : s.corrupt()) out.printf("    corrupt %s: %s%n", p.key(), p.reason());
            if (s.missing() > 0) out.printf("    missing %s%s%n", String.join(", ", s.firstMissing()), s.missing() > s.firstMissing().size() ? ", ..." : "");
            for (String u : s.unread()) out.printf("    unread  %s (BigArrays reads only plain, .gz and .zstd chunk names)%n", u);
            for (Verify.Problem p : s.shadowed()) out.printf("    shadowed %s: %s (a writer died switching names; the chunk's next write removes it)%n", p.key(), p.reason());
        }
        for (String j : r.unfinishedJobs()) out.printf("  %s%n", j);
        for (String k : r.strays()) out.printf("  stray file: %s%n", k);
        out.printf("%s: %d corrupt, %d unfinished job(s), %d stray file(s) in %.2f s%n", r.clean() ? "clean" : "CORRUPT", r.corruptCount(),
                r.unfinishedJobs().size(), r.strays().size(), r.seconds());
    }
}
