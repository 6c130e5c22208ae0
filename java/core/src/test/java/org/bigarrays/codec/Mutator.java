package org.bigarrays.codec;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded mutations of an encoded value, the kinds that find decoder bugs: bit flips, bytes set to
 * boundary values, multi-byte integers overwritten (lengths, offsets, sizes), truncation, trailing
 * garbage, insertion, deletion and duplication of ranges. Shared by {@link CodecContract} and
 * {@link CodecFuzz}.
 */
final class Mutator {
    private static final int[] INTERESTING = {0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x10, 0x20, 0x40};

    private Mutator() {}

    /** One to three mutations of {@code in} (never {@code in} itself). */
    static byte[] mutate(byte[] in, SplittableRandom r) {
        byte[] b = in;
        int rounds = 1 + (r.nextInt(4) == 0 ? r.nextInt(3) : 0);
        for (int k = 0; k < rounds; k++) b = once(b, r);
        return b == in ? in.clone() : b;
    }

    private static byte[] once(byte[] in, SplittableRandom r) {
        int n = in.length;
        int kind = r.nextInt(9);
        if (n == 0) kind = 5;
        byte[] b = in.clone();
        switch (kind) {
            case 0, 1 -> b[r.nextInt(n)] ^= (byte) (1 << r.nextInt(8)); // bit flip
            case 2 -> b[r.nextInt(n)] = (byte) INTERESTING[r.nextInt(INTERESTING.length)];
            case 3 -> { // a 2-, 4- or 8-byte integer (either byte order) set to a boundary value
                int w = new int[] {2, 4, 8}[r.nextInt(3)];
                if (n < w) return b;
                int at = r.nextInt(n - w + 1);
                long v = switch (r.nextInt(5)) {
                    case 0 -> 0;
                    case 1 -> -1;
                    case 2 -> Long.MAX_VALUE;
                    case 3 -> 1L << (8 * w - 1);
                    default -> r.nextLong();
                };
                boolean big = r.nextBoolean();
                for (int i = 0; i < w; i++) b[at + i] = (byte) (v >>> (8 * (big ? w - 1 - i : i)));
            }
            case 4 -> b = Arrays.copyOf(in, r.nextInt(n)); // truncate
            case 5 -> { // trailing garbage
                int extra = 1 + r.nextInt(16);
                b = Arrays.copyOf(in, n + extra);
                for (int i = n; i < b.length; i++) b[i] = (byte) r.nextInt(256);
            }
            case 6 -> { // insert random bytes
                int at = r.nextInt(n + 1), k = 1 + r.nextInt(8);
                b = new byte[n + k];
                System.arraycopy(in, 0, b, 0, at);
                for (int i = 0; i < k; i++) b[at + i] = (byte) r.nextInt(256);
                System.arraycopy(in, at, b, at + k, n - at);
            }
            case 7 -> { // delete a range
                int at = r.nextInt(n), k = 1 + r.nextInt(Math.min(16, n - at));
                b = new byte[n - k];
                System.arraycopy(in, 0, b, 0, at);
                System.arraycopy(in, at + k, b, at, n - at - k);
            }
            default -> { // duplicate a range (repeats inflate well: bombs)
                int at = r.nextInt(n), k = 1 + r.nextInt(Math.min(256, n - at));
                b = new byte[n + k];
                System.arraycopy(in, 0, b, 0, at + k);
                System.arraycopy(in, at, b, at + k, n - at);
            }
        }
        return b;
    }
}
