package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bigarrays.core.DataType;

/** {@link CodecContract.Subject}s for array codecs, bytes codecs and pipelines, with typical data. */
final class Subjects {
    private Subjects() {}

    /** What the plain data looks like. */
    enum Data { SMOOTH, LABELS, NOISE }

    /** {@code layout} with x doubled: more data than the layout holds. */
    static ChunkLayout wider(ChunkLayout l) {
        return new ChunkLayout(new long[] {2 * l.shape()[0], l.shape()[1], l.shape()[2]}, l.channels(), l.dataType());
    }

    static MemorySegment sample(ChunkLayout l, Data kind, long seed) {
        Random r = new Random(seed);
        MemorySegment s = MemorySegment.ofArray(new byte[(int) l.byteSize()]);
        long[] sh = l.shape();
        int size = l.dataType().size();
        long i = 0;
        long[] labels = {0, 1, 7, 0xFFFFFFFFL, 1L << 40, -1L, 123456789L};
        for (int c = 0; c < l.channels(); c++) {
            for (long z = 0; z < sh[2]; z++) {
                for (long y = 0; y < sh[1]; y++) {
                    for (long x = 0; x < sh[0]; x++, i++) {
                        long v = switch (kind) {
                            case SMOOTH -> {
                                double f = 0.5 + 0.35 * Math.sin(x / 7.0 + c + seed) * Math.cos(y / 5.0 + z / 3.0) + 0.02 * r.nextGaussian();
                                yield Math.round(Math.clamp(f, 0, 1) * (size == 1 ? 255 : 65535));
                            }
                            case LABELS -> labels[(int) ((x / 3 + 2 * (y / 4) + 3 * (z / 2) + seed + c + (r.nextInt(50) == 0 ? 1 : 0)) % labels.length)];
                            case NOISE -> r.nextLong();
                        };
                        switch (size) {
                            case 1 -> s.set(ValueLayout.JAVA_BYTE, i, (byte) v);
                            case 2 -> s.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2 * i, (short) v);
                            case 4 -> s.set(ValueLayout.JAVA_INT_UNALIGNED, 4 * i, (int) v);
                            default -> s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8 * i, v);
                        }
                    }
                }
            }
        }
        return s;
    }

    static CodecContract.Subject array(ArrayCodec codec, ChunkLayout layout, Data kind, int tolerance) {
        return new CodecContract.Subject() {
            public String name() {
                return codec + " " + layout;
            }

            public long capacity() {
                return layout.byteSize();
            }

            public MemorySegment sample(long seed) {
                return Subjects.sample(layout, kind, seed);
            }

            public MemorySegment encode(MemorySegment plain) {
                return codec.encode(plain, layout);
            }

            public long decode(MemorySegment encoded, MemorySegment into, String key) {
                codec.decode(encoded, layout, into, key);
                return layout.byteSize();
            }

            public MemorySegment oversized(long seed) {
                ChunkLayout w = wider(layout);
                return codec.encode(Subjects.sample(w, kind, seed), w);
            }

            public int tolerance() {
                return tolerance;
            }
        };
    }

    static CodecContract.Subject bytes(BytesCodec codec, int size) {
        ChunkLayout layout = new ChunkLayout(new long[] {size, 1, 1}, 1, DataType.UINT8);
        return new CodecContract.Subject() {
            public String name() {
                return codec + " " + size + " bytes";
            }

            public long capacity() {
                return size;
            }

            public MemorySegment sample(long seed) {
                return Subjects.sample(layout, Data.LABELS, seed);
            }

            public MemorySegment encode(MemorySegment plain) {
                return codec.encode(plain);
            }

            public long decode(MemorySegment encoded, MemorySegment into, String key) {
                return codec.decode(encoded, into, key);
            }

            public MemorySegment oversized(long seed) {
                return codec.encode(Subjects.sample(wider(layout), Data.LABELS, seed));
            }
        };
    }

    static CodecContract.Subject pipeline(CodecPipeline p, ChunkLayout layout, Data kind, Compression transport) {
        return new CodecContract.Subject() {
            public String name() {
                return p + " + " + transport + " " + layout;
            }

            public long capacity() {
                return layout.byteSize();
            }

            public MemorySegment sample(long seed) {
                return Subjects.sample(layout, kind, seed);
            }

            public MemorySegment encode(MemorySegment plain) {
                return p.encode(plain, layout, transport);
            }

            public long decode(MemorySegment encoded, MemorySegment into, String key) {
                p.decode(encoded, layout, into, key);
                return layout.byteSize();
            }

            public MemorySegment oversized(long seed) {
                ChunkLayout w = wider(layout);
                return p.encode(Subjects.sample(w, kind, seed), w, transport);
            }
        };
    }

    /** Every layout of the test shape {13, 9, 5} for the given types and channel counts. */
    static List<ChunkLayout> layouts(DataType[] types, int... channels) {
        List<ChunkLayout> out = new ArrayList<>();
        for (DataType t : types) for (int c : channels) out.add(new ChunkLayout(new long[] {13, 9, 5}, c, t));
        return out;
    }
}
