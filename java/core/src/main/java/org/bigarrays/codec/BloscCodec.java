package org.bigarrays.codec;

import org.bigarrays.CorruptChunkException;
import org.bigarrays.FormatException;
import org.bigarrays.InvalidInputException;
import org.bigarrays.nativ.Blosc;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Blosc 1 buffers through the system's libblosc: by default blosclz, byte shuffle over the
 * voxel size, level 5 (Blosc.jl's defaults); {@link #BloscCodec(int, String, int, int, long)}
 * takes any compressor, level, shuffle and block size (Zarr's {@code blosc} codec). No magic
 * number; the 16-byte header's sizes are checked against the input (no trailing bytes) and the
 * output capacity before anything is decoded. Decoding reads whatever compressor the header
 * names; one this libblosc lacks is refused naming it. There is no Java twin.
 */
public final class BloscCodec implements BytesCodec {
    /** Shuffle modes, as blosc numbers them. */
    public static final int NOSHUFFLE = 0, SHUFFLE = 1, BITSHUFFLE = 2;
    /** The compressor names blosc 1 knows, by the code its header flags carry (bits 5..7). */
    private static final List<String> FORMATS = List.of("blosclz", "lz4", "snappy", "zlib", "zstd");

    private final int typeSize;
    private final String cname;
    private final int clevel;
    private final int shuffle;
    private final long blockSize;

    /** @param typeSize bytes per voxel, the shuffle unit */
    public BloscCodec(int typeSize) {
        this(typeSize, "blosclz", 5, SHUFFLE, 0);
    }

    /**
     * @param typeSize bytes per element, the shuffle unit (1..255)
     * @param cname blosclz, lz4, lz4hc, snappy, zlib or zstd
     * @param clevel 0 (stored) to 9
     * @param shuffle {@link #NOSHUFFLE}, {@link #SHUFFLE} or {@link #BITSHUFFLE}
     * @param blockSize bytes per block, 0 for blosc's choice
     * @throws InvalidInputException naming the parameter out of range
     */
    public BloscCodec(int typeSize, String cname, int clevel, int shuffle, long blockSize) {
        if (typeSize < 1 || typeSize > 255) throw new InvalidInputException("blosc typesize " + typeSize + ": expected 1 to 255");
        if (!List.of("blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd").contains(cname)) {
            throw new InvalidInputException("blosc cname '" + cname + "': expected blosclz, lz4, lz4hc, snappy, zlib or zstd");
        }
        if (clevel < 0 || clevel > 9) throw new InvalidInputException("blosc clevel " + clevel + ": expected 0 to 9");
        if (shuffle < NOSHUFFLE || shuffle > BITSHUFFLE) throw new InvalidInputException("blosc shuffle " + shuffle + ": expected 0 (none), 1 (byte) or 2 (bit)");
        if (blockSize < 0 || blockSize > Integer.MAX_VALUE) throw new InvalidInputException("blosc blocksize " + blockSize + ": expected 0 (automatic) to 2^31-1");
        this.typeSize = typeSize;
        this.cname = cname;
        this.clevel = clevel;
        this.shuffle = shuffle;
        this.blockSize = blockSize;
    }

    /** Whether libblosc.so.1 loaded. */
    public static boolean available() {
        return Blosc.available();
    }

    /**
     * The compressors the loaded libblosc has.
     * @throws FormatException when libblosc is off or missing, naming the fix
     */
    public static List<String> compressors() {
        return Blosc.compressors();
    }

    @Override
    public String name() {
        return "blosc";
    }

    @Override
    public boolean matches(MemorySegment bytes) {
        return false;
    }

    @Override
    public long decode(MemorySegment in, MemorySegment out, String key) {
        if (in.byteSize() >= 16 && (in.get(ValueLayout.JAVA_BYTE, 2) & 0x02) == 0) { // not stored plain: a compressor decodes it
            int code = (in.get(ValueLayout.JAVA_BYTE, 2) & 0xff) >>> 5;
            if (code >= FORMATS.size()) throw new CorruptChunkException(key, "blosc header names compressor code " + code + ", which blosc 1 does not define");
            String format = FORMATS.get(code);
            List<String> have = compressors();
            if (!have.contains(format)) {
                throw new FormatException("blosc chunk '" + key + "' is compressed with " + format + ", which the loaded libblosc lacks (it has " + String.join(", ", have) + ")");
            }
        }
        return Blosc.decompress(in, out, key);
    }

    /**
     * A buffer blosc stored uncompressed (flag 0x02, "memcpyed": what it does with data that does
     * not compress, as noisy EM images) is its 16-byte header and the bytes as they are: they are
     * returned in place (libblosc would only copy them out), after the checks {@link #decode} makes
     * (header sizes against the input, a format version this libblosc reads). Without libblosc
     * (off or missing) nothing is returned: {@link #decode} refuses every chunk alike, naming the fix.
     */
    @Override
    public MemorySegment storedAsIs(MemorySegment in, String key) {
        if (in.byteSize() < 16 || (in.get(ValueLayout.JAVA_BYTE, 2) & 0x02) == 0 || !Blosc.available()) return null;
        int version = in.get(ValueLayout.JAVA_BYTE, 0) & 0xff;
        long nbytes = Integer.toUnsignedLong(in.get(INT_LE, 4)), cbytes = Integer.toUnsignedLong(in.get(INT_LE, 12));
        if (version == 0 || version > MAX_FORMAT_VERSION) return null; // decode() reports it through libblosc
        if (cbytes != in.byteSize()) throw new CorruptChunkException(key, "blosc header says " + cbytes + " compressed bytes, found " + in.byteSize());
        if (nbytes + 16 != cbytes) throw new CorruptChunkException(key, "blosc header says " + nbytes + " bytes stored uncompressed in " + cbytes + " (expected " + (nbytes + 16) + ")");
        return in.asSlice(16, nbytes);
    }

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    /** The highest blosc 1 format version (header byte 0) libblosc 1.x writes and reads (BLOSC_VERSION_FORMAT). */
    private static final int MAX_FORMAT_VERSION = 2;

    @Override
    public MemorySegment encode(MemorySegment in) {
        return Blosc.compress(in, typeSize, cname, clevel, shuffle, blockSize);
    }

    @Override
    public String toString() {
        return "blosc (" + cname + ", clevel " + clevel + ", shuffle " + shuffle + ", typesize " + typeSize + (blockSize == 0 ? ")" : ", blocksize " + blockSize + ")");
    }
}
