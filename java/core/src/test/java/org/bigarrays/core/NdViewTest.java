package org.bigarrays.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.bigarrays.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Typed access by absolute coordinates, conversions and copies, for every data type. */
class NdViewTest {
    private static final long[] ORIGIN = {-2, 5, 1, 0};
    private static final long[] SHAPE = {3, 2, 2, 2};

    /** A small value per element that every type can hold (bool: 0/1). */
    private static long valueAt(DataType t, long x, long y, long z, long c) {
        long v = (x + 2) + 3 * (y - 5) + 6 * (z - 1) + 12 * c;
        return t == DataType.BOOL ? v % 2 : v + (t.isSigned() ? -10 : 0);
    }

    private static NdView filled(DataType t) {
        NdView v = NdView.allocate(Arena.ofAuto(), t, ORIGIN, SHAPE);
        for (long c = 0; c < 2; c++)
            for (long z = 1; z < 3; z++)
                for (long y = 5; y < 7; y++)
                    for (long x = -2; x < 1; x++) v.set(new long[] {x, y, z, c}, valueAt(t, x, y, z, c));
        return v;
    }

    /** Expected elements in Fortran order as longs. */
    private static long[] expectedFortran(DataType t) {
        long[] out = new long[24];
        int i = 0;
        for (long c = 0; c < 2; c++)
            for (long z = 1; z < 3; z++)
                for (long y = 5; y < 7; y++)
                    for (long x = -2; x < 1; x++) out[i++] = valueAt(t, x, y, z, c);
        return out;
    }

    private static long[] asLongs(NdView v) {
        DataType t = v.dataType();
        long[] out = new long[(int) v.elementCount()];
        switch (t) {
            case UINT8, BOOL -> { byte[] a = v.toByteArray(); for (int i = 0; i < a.length; i++) out[i] = a[i] & 0xff; }
            case INT8 -> { byte[] a = v.toByteArray(); for (int i = 0; i < a.length; i++) out[i] = a[i]; }
            case UINT16 -> { short[] a = v.toShortArray(); for (int i = 0; i < a.length; i++) out[i] = a[i] & 0xffff; }
            case INT16 -> { short[] a = v.toShortArray(); for (int i = 0; i < a.length; i++) out[i] = a[i]; }
            case UINT32 -> { int[] a = v.toIntArray(); for (int i = 0; i < a.length; i++) out[i] = a[i] & 0xffffffffL; }
            case INT32 -> { int[] a = v.toIntArray(); for (int i = 0; i < a.length; i++) out[i] = a[i]; }
            case UINT64, INT64 -> out = v.toLongArray();
            case FLOAT32 -> { float[] a = v.toFloatArray(); for (int i = 0; i < a.length; i++) out[i] = (long) a[i]; }
            case FLOAT64 -> { double[] a = v.toDoubleArray(); for (int i = 0; i < a.length; i++) out[i] = (long) a[i]; }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(DataType.class)
    void setGetAndToArrayAgree(DataType t) {
        NdView v = filled(t);
        assertEquals(24, v.elementCount());
        assertEquals(24L * t.size(), v.byteSize());
        assertTrue(v.isFortranContiguous());
        assertEquals(Box.of(ORIGIN, new long[] {1, 7, 3, 2}), v.box());
        assertArrayEquals(expectedFortran(t), asLongs(v));
        assertEquals(valueAt(t, 0, 6, 2, 1), v.getAsLong(0, 6, 2, 1));
        assertEquals((double) valueAt(t, -1, 5, 2, 1), v.getAsDouble(-1, 5, 2, 1));
        // Trailing coordinates left out mean the origin (channel 0).
        assertEquals(valueAt(t, -2, 6, 1, 0), v.getAsLong(-2, 6, 1));
        long raw = VolumeModel.bitsAt(v, 0, 5, 1, 1);
        switch (t.size()) {
            case 1 -> assertEquals(raw, v.getByte(0, 5, 1, 1) & 0xffL);
            case 2 -> assertEquals(raw, v.getShort(0, 5, 1, 1) & 0xffffL);
            case 4 -> {
                if (t == DataType.FLOAT32) assertEquals(Float.intBitsToFloat((int) raw), v.getFloat(0, 5, 1, 1));
                else assertEquals(raw, v.getInt(0, 5, 1, 1) & 0xffffffffL);
            }
            default -> {
                if (t == DataType.FLOAT64) assertEquals(Double.longBitsToDouble(raw), v.getDouble(0, 5, 1, 1));
                else assertEquals(raw, v.getLong(0, 5, 1, 1));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DataType.class)
    void stridedSubViewsCopyOutInFortranOrder(DataType t) {
        NdView v = filled(t);
        NdView sub = v.subView(Box.of(new long[] {-1, 6, 1, 1}, new long[] {1, 7, 3, 2}));
        assertTrue(!sub.isFortranContiguous());
        assertArrayEquals(new long[] {-1, 6, 1, 1}, sub.origin());
        long[] want = {valueAt(t, -1, 6, 1, 1), valueAt(t, 0, 6, 1, 1), valueAt(t, -1, 6, 2, 1), valueAt(t, 0, 6, 2, 1)};
        assertArrayEquals(want, asLongs(sub));
        NdView copy = NdView.allocate(Arena.ofAuto(), t, new long[] {0, 0, 0, 0}, sub.shape());
        copy.copyFrom(sub);
        assertArrayEquals(want, asLongs(copy));
        MemorySegment dense = sub.toSegment(Arena.ofAuto());
        assertEquals(4L * t.size(), dense.byteSize());
        sub.fill(1);
        assertEquals(1, v.getAsLong(0, 6, 2, 1));
        assertEquals(valueAt(t, -2, 6, 2, 1), v.getAsLong(-2, 6, 2, 1)); // outside the sub-view: untouched
    }

    @ParameterizedTest
    @EnumSource(DataType.class)
    void wrongAccessIsRejected(DataType t) {
        NdView v = filled(t);
        assertThrows(IndexOutOfBoundsException.class, () -> v.getAsLong(1, 5, 1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> v.getAsLong(-3, 5, 1, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> v.getAsLong(0, 5, 1, 2));
        assertThrows(InvalidInputException.class, () -> v.getAsLong(0, 5, 1, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> v.set(new long[] {0, 7, 1, 0}, 1));
        if (t.size() != 1) assertThrows(InvalidInputException.class, () -> v.getByte(0, 5, 1));
        if (t.size() != 2) assertThrows(InvalidInputException.class, () -> v.toShortArray());
        if (t != DataType.FLOAT32) assertThrows(InvalidInputException.class, () -> v.getFloat(0, 5, 1));
        if (t != DataType.FLOAT64) assertThrows(InvalidInputException.class, () -> v.toDoubleArray());
        assertThrows(InvalidInputException.class, () -> v.subView(Box.parse("-3,5,1,0:0,6,2,1")));
    }

    @Test
    void conversionsFollowCCasts() {
        NdView b = NdView.allocate(Arena.ofAuto(), DataType.BOOL, new long[] {0}, new long[] {2});
        b.set(new long[] {0}, 5);
        assertEquals(1, b.getAsLong(0));
        NdView u8 = NdView.allocate(Arena.ofAuto(), DataType.UINT8, new long[] {0}, new long[] {1});
        u8.set(new long[] {0}, 300);
        assertEquals(44, u8.getAsLong(0));
        // set() converts like a C cast; fill() takes a parameter, which must fit the type.
        u8.fill(255);
        assertEquals(255, u8.getAsLong(0));
        assertThrows(InvalidInputException.class, () -> u8.fill(-1));
        assertEquals(255, u8.getAsLong(0), "a rejected fill writes nothing");
        NdView u64 = NdView.allocate(Arena.ofAuto(), DataType.UINT64, new long[] {0}, new long[] {1});
        u64.set(new long[] {0}, -1);
        assertEquals(-1L, u64.getAsLong(0));
        assertEquals(18446744073709551615.0, u64.getAsDouble(0));
        NdView f = NdView.allocate(Arena.ofAuto(), DataType.FLOAT32, new long[] {0}, new long[] {1});
        f.setDouble(new long[] {0}, 2.75);
        assertEquals(2.75f, f.getFloat(0));
        assertEquals(2, f.getAsLong(0));
        f.fill(-0.5);
        assertEquals(-0.5, f.getAsDouble(0));
        NdView i16 = NdView.allocate(Arena.ofAuto(), DataType.INT16, new long[] {0}, new long[] {1});
        i16.setDouble(new long[] {0}, -7.9);
        assertEquals(-7, i16.getAsLong(0));
    }

    @Test
    void wrapChecksTheSegment() {
        MemorySegment seg = Arena.ofAuto().allocate(16);
        assertThrows(IndexOutOfBoundsException.class, () -> NdView.wrap(seg, DataType.UINT32, new long[] {0, 0}, new long[] {3, 2}));
        NdView ok = NdView.wrap(seg, DataType.UINT32, new long[] {0, 0}, new long[] {2, 2});
        assertEquals(4, ok.elementCount());
        assertThrows(InvalidInputException.class, () -> NdView.wrap(seg, 0, DataType.UINT8, new long[] {0}, new long[] {2, 2}, new long[] {1, 2}));
    }
}
