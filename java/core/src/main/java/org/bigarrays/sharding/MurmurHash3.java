package org.bigarrays.sharding;

/**
 * MurmurHash3_x86_128 of one uint64 (its 8 little-endian bytes), as the sharded format hashes
 * chunk ids. Written from the algorithm's published description.
 */
final class MurmurHash3 {
    private static final int C1 = 0x239b961b;
    private static final int C2 = 0xab0e9789;
    private static final int C3 = 0x38b34ae5;
    private static final int C4 = 0xa1e38b93;

    private MurmurHash3() {}

    /** The four 32-bit words h1..h4 of the 128-bit digest of {@code value}'s 8 LE bytes. */
    public static int[] x86_128(long value, int seed) {
        int h1 = seed, h2 = seed, h3 = seed, h4 = seed;
        // 8 bytes: no full 16-byte block, only the tail (k1 = low word, k2 = high word).
        int k2 = (int) (value >>> 32);
        k2 *= C2;
        k2 = Integer.rotateLeft(k2, 16);
        k2 *= C3;
        h2 ^= k2;
        int k1 = (int) value;
        k1 *= C1;
        k1 = Integer.rotateLeft(k1, 15);
        k1 *= C2;
        h1 ^= k1;
        final int len = 8;
        h1 ^= len;
        h2 ^= len;
        h3 ^= len;
        h4 ^= len;
        h1 += h2;
        h1 += h3;
        h1 += h4;
        h2 += h1;
        h3 += h1;
        h4 += h1;
        h1 = fmix(h1);
        h2 = fmix(h2);
        h3 = fmix(h3);
        h4 = fmix(h4);
        h1 += h2;
        h1 += h3;
        h1 += h4;
        h2 += h1;
        h3 += h1;
        h4 += h1;
        return new int[] {h1, h2, h3, h4};
    }

    /** The sharding hash: seed 0, the digest's low 64 bits {@code h1 | h2 << 32}. */
    public static long hash64(long value) {
        int[] h = x86_128(value, 0);
        return (h[0] & 0xffffffffL) | ((long) h[1] << 32);
    }

    private static int fmix(int h) {
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }
}
