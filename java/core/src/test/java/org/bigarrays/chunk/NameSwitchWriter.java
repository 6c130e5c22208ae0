package org.bigarrays.chunk;

import java.lang.foreign.Arena;
import org.bigarrays.array.BigArray;
import org.bigarrays.array.Options;
import org.bigarrays.codec.Compression;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * The second process of {@link NameSwitchTest}: rewrites the whole (one-chunk) uint16 layer
 * {@code count} times, write i filled with {@code first + i}, alternating gzip and raw (starting
 * with gzip when {@code phase} is 0), then prints "done". Arguments: {@code <url> <first> <count> <phase>}.
 */
final class NameSwitchWriter {
    private NameSwitchWriter() {}

    public static void main(String[] args) {
        String url = args[0];
        int first = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        int phase = Integer.parseInt(args[3]);
        try (BigArray a = BigArray.open(url)) {
            long[] max = a.bounds().max();
            NdView v = NdView.allocate(Arena.ofAuto(), DataType.UINT16, new long[4], new long[] {max[0], max[1], max[2], 1});
            for (int i = 0; i < count; i++) {
                v.fill(first + i);
                Compression c = (i + phase) % 2 == 0 ? Compression.GZIP : Compression.NONE;
                a.withOptions(Options.defaults().withCompression(c)).write(v);
            }
        }
        System.out.println("done");
    }
}
