package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.bigarrays.CorruptChunkException;
import org.bigarrays.nativ.NativeLibrary;
import org.junit.jupiter.api.Test;

/** The system's libzstd (FFM) and its twin zstd-jni. */
class ZstdCodecContractTest extends CodecContract {
    static List<Subject> all(ZstdCodec c) {
        return List.of(Subjects.bytes(c, 1), Subjects.bytes(c, 1000), Subjects.bytes(c, 70_000));
    }

    @Override
    protected List<Subject> subjects() {
        return all(ZstdCodec.INSTANCE);
    }

    @Override
    protected List<Subject> twins() {
        return all(ZstdCodec.JNI);
    }

    @Test
    void libzstdIsUsedWhereverItIsOn() {
        if (NativeLibrary.LIBZSTD.disabledByConfiguration()) {
            assertTrue(!ZstdCodec.INSTANCE.usesLibzstd(), "BIGARRAYS_NATIVE=0: zstd-jni");
        } else if ("Linux".equals(System.getProperty("os.name"))) {
            assertTrue(ZstdCodec.INSTANCE.usesLibzstd(), "libzstd.so.1 is installed on this machine: " + NativeLibrary.LIBZSTD.status());
        }
    }

    @Test
    void twinRejectsMutationsToo() {
        for (Subject s : twins()) CodecContract.run(s, 9, 500);
    }

    /** Random data of random compressibility, on the heap or off it: each codec reads the other's frames back exactly. */
    @Property(tries = 300)
    void libzstdAndZstdJniReadEachOther(@ForAll @IntRange(min = 0, max = 300_000) int size, @ForAll long seed,
                                         @ForAll @IntRange(min = 1, max = 256) int alphabet, @ForAll boolean offHeap) {
        byte[] plain = new byte[size];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) plain[i] = (byte) (r.nextInt(alphabet) + (i >> 9));
        MemorySegment in = offHeap ? Arena.ofAuto().allocate(Math.max(1, size)).asSlice(0, size).copyFrom(MemorySegment.ofArray(plain)) : MemorySegment.ofArray(plain);
        for (ZstdCodec[] p : new ZstdCodec[][] {{ZstdCodec.INSTANCE, ZstdCodec.JNI}, {ZstdCodec.JNI, ZstdCodec.INSTANCE}}) {
            MemorySegment enc = p[0].encode(in);
            MemorySegment encIn = offHeap ? Arena.ofAuto().allocate(enc.byteSize()).copyFrom(enc) : enc;
            MemorySegment out = offHeap ? Arena.ofAuto().allocate(size + 1) : MemorySegment.ofArray(new byte[size + 1]);
            assertEquals(size, p[1].decode(encIn, out, "k"), p[1] + " reading " + p[0]);
            assertArrayEquals(plain, out.asSlice(0, size).toArray(ValueLayout.JAVA_BYTE), p[1] + " reading " + p[0]);
        }
    }

    /** Both write zstd's content checksum (frame header descriptor bit 2), so damage is detected on read by either. */
    @Test
    void bothWriteTheContentChecksum() {
        byte[] plain = new byte[5000];
        new SplittableRandom(3).nextBytes(plain);
        for (ZstdCodec c : new ZstdCodec[] {ZstdCodec.INSTANCE, ZstdCodec.JNI}) {
            byte[] enc = c.encode(MemorySegment.ofArray(plain)).toArray(ValueLayout.JAVA_BYTE);
            assertTrue((enc[4] & 0x04) != 0, c + ": no content checksum flag in the frame header");
        }
    }

    /** One byte of room short: both codecs name the chunk's size, neither writes past it. */
    @Property(tries = 50)
    void bothRefuseOutputThatDoesNotFit(@ForAll @IntRange(min = 1, max = 100_000) int size, @ForAll long seed) {
        byte[] plain = new byte[size];
        new SplittableRandom(seed).nextBytes(plain);
        MemorySegment enc = ZstdCodec.INSTANCE.encode(MemorySegment.ofArray(plain));
        for (ZstdCodec c : new ZstdCodec[] {ZstdCodec.INSTANCE, ZstdCodec.JNI}) {
            CorruptChunkException e = org.junit.jupiter.api.Assertions.assertThrows(CorruptChunkException.class,
                    () -> c.decode(enc, MemorySegment.ofArray(new byte[size - 1]), "a/b"));
            assertTrue(e.getMessage().contains("more than the chunk's " + (size - 1) + " bytes"), c + ": " + e.getMessage());
        }
    }
}
