package org.bigarrays.cli;

import java.util.Locale;
import java.util.concurrent.Callable;
import org.bigarrays.array.BigArray;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.Scale;
import org.bigarrays.precomputed.StoredChunks;
import org.bigarrays.sharding.ShardingSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bigarrays info URL}: a readable summary of the layer, one block per scale; {@code --json}
 * prints the info JSON as stored (for scripts), {@code --count} adds what each scale stores.
 */
@Command(name = "info", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = {"Summarise a layer: per scale its key, bounds, chunk size, resolution, encoding, transport compression",
                "(detected from one stored chunk; 'unknown' when none is stored) and sharding.",
                "--json prints the info JSON instead (use it in scripts)."})
final class InfoCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL", description = "Layer URL: path, file://, s3://, gs://, http(s)://, mem://, precomputed://, zarr3://, zarr2://, zarr://.")
    String url;

    @Option(names = "--json", description = "print the raw info JSON")
    boolean json;

    @Option(names = "--count", description = "also count the stored chunks and their bytes per scale: lists each scale (s3, gs, file, mem; not plain http) "
            + "and sizes each stored chunk or shard file (remote stores: by reading it, which is slow)")
    boolean count;

    @Override
    public Integer call() {
        try (BigArray a = BigArray.open(url)) {
            if (json) {
                System.out.println(a.info().toJson());
            } else {
                System.out.print(summary(a, count));
            }
        }
        return Main.OK;
    }

    /** The text {@code info} prints without --json. */
    static String summary(BigArray a, boolean count) {
        Info info = a.info();
        StringBuilder s = new StringBuilder();
        s.append(a.uri()).append('\n');
        s.append(String.format(Locale.ROOT, "  %s %s %s, %d channel(s), %d scale(s)%n", a.format(), info.type(), info.dataType(), info.numChannels(),
                info.scales().size()));
        for (int m = 0; m < info.scales().size(); m++) {
            Scale sc = info.scale(m);
            BigArray mip = a.mip(m);
            s.append(String.format(Locale.ROOT, "mip %d  key %s%n", m, sc.key()));
            s.append(String.format(Locale.ROOT, "  bounds       %s (offset %s, size %s)%n", sc.bounds(), csv(sc.voxelOffset()), csv(sc.size())));
            s.append(String.format(Locale.ROOT, "  chunk        %s%n", csv(sc.chunkSize())));
            s.append(String.format(Locale.ROOT, "  resolution   %s nm%n", csv(sc.resolution())));
            if (a.format().equals("precomputed")) {
                s.append(String.format(Locale.ROOT, "  encoding     %s%n", encoding(sc)));
                s.append(String.format(Locale.ROOT, "  compression  %s%n", StoredCompression.describe(mip)));
                s.append(String.format(Locale.ROOT, "  sharding     %s%n", sharding(mip)));
            } else {
                s.append(ZarrCodecsText.describe(a, m)); // chunk above: a sharded array's inner chunk, the unit the library reads
            }
            if (count && !mip.canListStored()) {
                s.append(String.format(Locale.ROOT, "  stored       unknown (%s cannot list its keys: use the bucket's s3:// or gs:// URL)%n", mip.uri()));
            } else if (count) {
                StoredChunks st = mip.storedChunks();
                long[] g = mip.grid().gridShape();
                long cells = Math.multiplyExact(Math.multiplyExact(g[0], g[1]), g[2]);
                long bytes = mip.storedBytes();
                s.append(String.format(Locale.ROOT, "  stored       %d of %d chunk(s), %s%n", st.count(), cells, CutoutSize.human(bytes)));
            }
        }
        return s.toString();
    }

    private static String encoding(Scale sc) {
        String e = sc.encoding();
        if (sc.blockSize() != null) e += " (block " + csv(sc.blockSize()) + ")";
        if (sc.jpegQuality() != null) e += " (quality " + sc.jpegQuality() + ")";
        if (sc.pngLevel() != null) e += " (level " + sc.pngLevel() + ")";
        if (e.equals("jxl")) {
            Integer q = sc.jxlQuality();
            e += q == null || q >= 100 ? " (lossless)" : " (quality " + q + ")";
        }
        return e;
    }

    private static String sharding(BigArray mip) {
        ShardingSpec p = mip.sharding();
        if (p == null) return "off";
        return String.format(Locale.ROOT, "preshift %d, minishard %d, shard %d bits, hash %s, data %s, index %s", p.preshiftBits(), p.minishardBits(),
                p.shardBits(), p.hash().json(), ShardingSpec.encodingName(p.dataEncoding()), ShardingSpec.encodingName(p.minishardIndexEncoding()));
    }

    static String csv(long[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ",").append(v[i]);
        return b.toString();
    }

    /** Resolutions as written (4 not 4.0, 4.5 as is). */
    static String csv(double[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            b.append(i == 0 ? "" : ",");
            if (v[i] == Math.rint(v[i]) && Math.abs(v[i]) < 1e15) b.append((long) v[i]);
            else b.append(v[i]);
        }
        return b.toString();
    }
}
