import java.lang.foreign.Arena;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;
import org.bigarrays.precomputed.InfoBuilder;
import org.bigarrays.sharding.ShardingSpec;

/**
 * Writes the browser test's layers in one JVM (run with the source launcher: java -cp
 * bigarrays-cli.jar BrowserTestLayers.java DIR SX,SY,SZ CX,CY,CZ LAYER...), each LAYER
 * NAME:DTYPE:TYPE:ENCODING:SHARDING|-:COMPRESSION:Q0,Q1,Q2,Q3[:FORMAT], whose four x-y quadrants
 * (x low y low, x high y low, x low y high, x high y high) hold Q0..Q3; FORMAT is precomputed
 * (the default), zarr3 or ome-zarr (compressed by its codecs: COMPRESSION is fixed at creation).
 */
public class BrowserTestLayers {
    public static void main(String[] args) {
        String dir = args[0];
        long[] size = longs(args[1]), chunk = longs(args[2]);
        for (int i = 3; i < args.length; i++) {
            String[] f = args[i].split(":");
            DataType dt = DataType.valueOf(f[1].toUpperCase());
            InfoBuilder b = Info.builder(dt, size, chunk).type(f[2]).encoding(f[3]).resolution(8, 8, 40);
            if (f[3].equals("jpeg")) b.jpegQuality(90);
            if (!f[4].equals("-")) b.sharding(ShardingSpec.parseCli(f[4]));
            long[] q = longs(f[6]);
            Options o = Options.defaults().withCompression(Compression.valueOf(f[5].toUpperCase()));
            if (f.length > 7 && !f[7].equals("precomputed")) o = o.withFormat(f[7]);
            try (BigArray a = BigArray.create(dir + "/" + f[0], b.build(), o)) {
                NdView v = NdView.allocate(Arena.ofAuto(), dt, new long[4], new long[] {size[0], size[1], size[2], 1});
                for (long z = 0; z < size[2]; z++) for (long y = 0; y < size[1]; y++) for (long x = 0; x < size[0]; x++) {
                    v.set(new long[] {x, y, z}, q[(x >= size[0] / 2 ? 1 : 0) + (y >= size[1] / 2 ? 2 : 0)]);
                }
                a.write(v);
            }
        }
    }

    private static long[] longs(String s) {
        String[] p = s.split(",");
        long[] r = new long[p.length];
        for (int i = 0; i < p.length; i++) r[i] = Long.parseLong(p[i]);
        return r;
    }
}
