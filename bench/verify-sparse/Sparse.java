import java.lang.foreign.Arena;
import java.util.Random;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.precomputed.Info;

/** Sparse.java URL PERCENT: a 2048x2048x1024 uint8 layer of 64³ chunks with random data in PERCENT % of its chunks. */
public class Sparse {
    public static void main(String[] a) {
        Info info = Info.builder(DataType.UINT8, new long[] {2048, 2048, 1024}, new long[] {64, 64, 64}).build();
        double pct = Double.parseDouble(a[1]);
        Random r = new Random(42);
        int n = 0;
        try (BigArray l = BigArray.create(a[0], info)) {
            NdView v = NdView.allocate(Arena.ofShared(), DataType.UINT8, new long[4], new long[] {64, 64, 64, 1});
            for (int z = 0; z < 16; z++) for (int y = 0; y < 32; y++) for (int x = 0; x < 32; x++) {
                if (r.nextDouble() * 100 >= pct) continue;
                for (long i = 0; i < v.byteSize(); i++) v.segment().set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (1 + r.nextInt(250)));
                l.write(NdView.wrap(v.segment(), DataType.UINT8, new long[] {64L * x, 64L * y, 64L * z, 0}, new long[] {64, 64, 64, 1}));
                n++;
            }
        }
        System.out.println("wrote " + n + " of 16384 chunks");
    }
}
