package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.bigarrays.core.DataType;

/**
 * Encode/decode throughput of jxl (libjxl 0.7) on one 64³ uint8 EM-like chunk ({@link JxlCodecTest#emLike}:
 * smooth texture plus Gaussian noise of sigma 8, the hard part for any codec), for each
 * {@code quality[:effort]} argument (default {@code 100 90}). Single thread; a warm-up pass, then
 * {@code 10} timed encodes and decodes; MB/s of decoded voxels (0.26 MB a chunk).
 */
public final class JxlBench {
    private JxlBench() {}

    public static void main(String[] args) {
        if (args.length == 0) args = new String[] {"100", "90"};
        ChunkLayout l = new ChunkLayout(new long[] {64, 64, 64}, 1, DataType.UINT8);
        MemorySegment chunk = JxlCodecTest.emLike(l, 1);
        MemorySegment back = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        int n = 10;
        for (String spec : args) {
            String[] p = spec.split(":");
            JxlCodec c = JxlCodec.of(Integer.parseInt(p[0]), p.length > 1 ? Integer.parseInt(p[1]) : null);
            MemorySegment enc = c.encode(chunk, l);
            c.decode(enc, l, back, "bench");
            long t0 = System.nanoTime();
            for (int k = 0; k < n; k++) enc = c.encode(chunk, l);
            long t1 = System.nanoTime();
            for (int k = 0; k < n; k++) c.decode(enc, l, back, "bench");
            long t2 = System.nanoTime();
            double se = 0;
            for (long i = 0; i < l.byteSize(); i++) {
                int d = (chunk.get(ValueLayout.JAVA_BYTE, i) & 0xff) - (back.get(ValueLayout.JAVA_BYTE, i) & 0xff);
                se += d * d;
            }
            double mb = l.byteSize() * (double) n / 1e6;
            System.out.printf("%s: %d bytes (%.2fx), encode %.1f MB/s, decode %.1f MB/s, PSNR %s%n", c, enc.byteSize(),
                    (double) l.byteSize() / enc.byteSize(), mb / ((t1 - t0) / 1e9), mb / ((t2 - t1) / 1e9),
                    se == 0 ? "exact" : String.format("%.1f dB", 10 * Math.log10(255.0 * 255 * l.byteSize() / se)));
        }
    }
}
