package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.bigarrays.CorruptChunkException;
import org.junit.jupiter.api.Test;

/**
 * What every codec and its twin must do: round trips; twins read each other's output; truncated,
 * bit-flipped, oversized and trailing-garbage input raises only {@link CorruptChunkException},
 * and a decoder never writes past its capacity (checked with a canary around the output).
 * Subclasses give the {@link Subject}s: one codec at one layout each. Public for the codec
 * packages of other formats ({@code org.bigarrays.zarr.codec}).
 */
public abstract class CodecContract {
    /** Mutations per contract class in the test run, spread over its subjects (CodecFuzz runs more). */
    static final int MUTATIONS = 3000;
    private static final byte CANARY = (byte) 0xA5;
    private static final int GUARD = 64;

    /** One codec at one layout, seen as plain bytes ↔ encoded bytes. */
    public interface Subject {
        String name();

        /** Decoded bytes: the output capacity. */
        long capacity();

        /** Plain data of {@link #capacity()} bytes, typical for the codec (smooth images, labels). */
        MemorySegment sample(long seed);

        MemorySegment encode(MemorySegment plain);

        /** Decode into {@code into} ({@link #capacity()} bytes); returns the bytes produced. */
        long decode(MemorySegment encoded, MemorySegment into, String key);

        /** A valid encoding of more than {@link #capacity()} bytes of data (or of another shape). */
        MemorySegment oversized(long seed);

        /** Largest allowed difference per byte after a round trip (0: lossless). */
        default int tolerance() {
            return 0;
        }
    }

    /** The subjects; at least one. */
    protected abstract List<Subject> subjects();

    /** The twins of {@link #subjects()}, index by index, or empty where the codec has none. */
    protected List<Subject> twins() {
        return List.of();
    }

    /** Decode into a canary-guarded slice; fails if anything but the slice was written. */
    static long decodeGuarded(Subject s, MemorySegment encoded, MemorySegment out, String key) {
        long cap = s.capacity();
        MemorySegment whole = out == null ? Arena.ofAuto().allocate(cap + 2 * GUARD) : out;
        whole.fill(CANARY);
        try {
            return s.decode(encoded, whole.asSlice(GUARD, cap), key);
        } finally {
            for (long i = 0; i < GUARD; i++) {
                if (whole.get(ValueLayout.JAVA_BYTE, i) != CANARY || whole.get(ValueLayout.JAVA_BYTE, GUARD + cap + i) != CANARY) {
                    fail(s.name() + ": decoder wrote outside its " + cap + "-byte output");
                }
            }
        }
    }

    private static byte[] bytes(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_BYTE);
    }

    private static void assertClose(Subject s, MemorySegment expected, MemorySegment got, String what) {
        if (s.tolerance() == 0) {
            assertEquals(-1, expected.mismatch(got), s.name() + " " + what);
            return;
        }
        long sum = 0;
        for (long i = 0; i < expected.byteSize(); i++) {
            sum += Math.abs((expected.get(ValueLayout.JAVA_BYTE, i) & 0xff) - (got.get(ValueLayout.JAVA_BYTE, i) & 0xff));
        }
        assertTrue(sum <= s.tolerance() * expected.byteSize(), s.name() + " " + what + ": mean error " + (double) sum / expected.byteSize());
    }

    @Test
    void roundTrips() {
        for (Subject s : subjects()) {
            for (long seed = 1; seed <= 3; seed++) {
                MemorySegment plain = s.sample(seed);
                MemorySegment out = Arena.ofAuto().allocate(s.capacity() + 2 * GUARD);
                assertEquals(s.capacity(), decodeGuarded(s, s.encode(plain), out, "k"), s.name());
                assertClose(s, plain, out.asSlice(GUARD, s.capacity()), "round trip, seed " + seed);
            }
        }
    }

    @Test
    void twinsReadEachOther() {
        List<Subject> twins = twins();
        if (twins.isEmpty()) return; // no twin: nothing to compare with
        List<Subject> subjects = subjects();
        assertEquals(subjects.size(), twins.size());
        for (int i = 0; i < subjects.size(); i++) {
            Subject a = subjects.get(i), b = twins.get(i);
            MemorySegment plain = a.sample(7);
            for (Subject[] p : new Subject[][] {{a, b}, {b, a}}) {
                MemorySegment out = Arena.ofAuto().allocate(a.capacity() + 2 * GUARD);
                assertEquals(a.capacity(), decodeGuarded(p[1], p[0].encode(plain), out, "k"));
                assertClose(a, plain, out.asSlice(GUARD, a.capacity()), p[1].name() + " reading " + p[0].name());
            }
        }
    }

    @Test
    void truncatedInputIsCorrupt() {
        for (Subject s : subjects()) {
            byte[] enc = bytes(s.encode(s.sample(2)));
            int step = Math.max(1, enc.length / 150);
            for (int n = 0; n < enc.length; n += (n < 64 ? 1 : step)) {
                byte[] cut = Arrays.copyOf(enc, n);
                CorruptChunkException e = assertThrows(CorruptChunkException.class,
                        () -> decodeGuarded(s, MemorySegment.ofArray(cut), null, "a/b"), s.name() + " truncated to " + n + " of " + enc.length);
                assertEquals("a/b", e.key());
            }
        }
    }

    @Test
    void trailingBytesAreCorrupt() {
        SplittableRandom r = new SplittableRandom(11);
        for (Subject s : subjects()) {
            byte[] enc = bytes(s.encode(s.sample(3)));
            for (int extra : new int[] {1, 2, 3, 4, 7, 8, 16, 100}) {
                byte[] longer = Arrays.copyOf(enc, enc.length + extra);
                for (int i = enc.length; i < longer.length; i++) longer[i] = (byte) (r.nextBoolean() ? 0 : r.nextInt(256));
                assertThrows(CorruptChunkException.class, () -> decodeGuarded(s, MemorySegment.ofArray(longer), null, "k"),
                        s.name() + " with " + extra + " trailing bytes");
            }
        }
    }

    @Test
    void oversizedInputIsCorrupt() {
        for (Subject s : subjects()) {
            MemorySegment big = s.oversized(4);
            assertThrows(CorruptChunkException.class, () -> decodeGuarded(s, big, null, "k"), s.name() + " oversized");
        }
    }

    @Test
    void mutatedInputDecodesOrIsCorrupt() {
        List<Subject> subjects = subjects();
        int per = Math.max(200, MUTATIONS / subjects.size());
        for (Subject s : subjects) {
            int[] outcomes = run(s, 42, per);
            assertEquals(per, outcomes[0] + outcomes[1], s.name());
            assertTrue(outcomes[1] > 0, s.name() + ": no mutation was detected as corrupt");
        }
    }

    /**
     * Decode {@code n} seeded mutations of {@code s}'s encoding; returns {decoded, corrupt}.
     * Fails on any other exception or a write outside the output.
     */
    static int[] run(Subject s, long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] enc = bytes(s.encode(s.sample(seed)));
        MemorySegment out = Arena.ofAuto().allocate(s.capacity() + 2 * GUARD);
        int[] outcomes = new int[2];
        for (int i = 0; i < n; i++) {
            byte[] m = Mutator.mutate(enc, r);
            try {
                long got = decodeGuarded(s, MemorySegment.ofArray(m), out, "k");
                assertFalse(got < 0 || got > s.capacity(), s.name() + " returned " + got);
                outcomes[0]++;
            } catch (CorruptChunkException expected) {
                outcomes[1]++;
            } catch (Throwable t) {
                throw new AssertionError(s.name() + ": mutation " + i + " of seed " + seed + " (" + m.length + " bytes: "
                        + hexHead(m) + ") raised " + t, t);
            }
        }
        return outcomes;
    }

    private static String hexHead(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(32, b.length); i++) sb.append(String.format("%02x", b[i]));
        return sb.append(b.length > 32 ? "…" : "").toString();
    }
}
