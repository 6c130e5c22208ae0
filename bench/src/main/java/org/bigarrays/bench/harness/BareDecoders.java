package org.bigarrays.bench.harness;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import org.bigarrays.nativ.CompressedSegmentation;
import org.bigarrays.nativ.Lz4;
import org.bigarrays.nativ.TurboJpeg;

/**
 * The bare decoders of the codecs {@link BareCodecs} does not cover, for the harness's
 * {@code decompress} limit: each decodes one stored chunk straight into a reused off-heap buffer,
 * without BigArrays' chunk layer (no pipeline, header checks, pools or pass over the output).
 * lz4: lz4-java's block decompressor and xxhash32 (the factories BigArrays uses) on the frame's
 * blocks; jpeg: TurboJPEG through the project's binding; png: the project's binding as the png
 * codec reads (libdeflate's whole-image inflate and the row unfilter), straight into the buffer;
 * compressed_segmentation: the project's C decoder; blosc: {@code blosc_decompress_ctx} called
 * through FFM. Not thread-safe.
 */
final class BareDecoders {
    private BareDecoders() {}

    /** Decodes one stored chunk of {@code shape} [x, y, z] into {@code out}; returns the bytes produced. */
    interface Decoder {
        long decode(MemorySegment in, long[] shape, MemorySegment out);
    }

    /** The bare decoder of {@code encoding} (lz4, jpeg, png, cseg, blosc), or null when it has none here. */
    static Decoder of(String encoding) {
        return switch (encoding) {
            case "lz4" -> lz4();
            case "jpeg" -> (in, s, out) -> {
                int w = (int) s[0], h = (int) (s[1] * s[2]); // one grey plane, as BigArrays stores a 1-channel chunk
                TurboJpeg.decode(in, w, h, 1, out, "bare");
                return (long) w * h;
            };
            case "png" -> png();
            case "cseg" -> (in, s, out) -> {
                CompressedSegmentation.decode(in, s, 1, new int[] {8, 8, 8}, 2, out, "bare"); // uint64, the default block
                return s[0] * s[1] * s[2] * 8;
            };
            case "blosc" -> blosc();
            default -> null;
        };
    }

    /**
     * BigArrays' own decoding of the same stored chunk (the codec stage a cutout calls: the lz4
     * transport codec, or the layer encoding's {@link org.bigarrays.codec.CodecPipeline}), without
     * the rest of the read path.
     */
    static Decoder bigArrays(String encoding, org.bigarrays.core.DataType type) {
        if (encoding.equals("lz4")) {
            org.bigarrays.codec.BytesCodec lz4 = org.bigarrays.codec.Compression.LZ4.codec();
            return (in, s, out) -> lz4.decode(in, out, "bench");
        }
        String name = BigArraysPeer.dataEncoding(new SideBySide.Case(type, 0, 0, encoding, 1));
        org.bigarrays.codec.CodecPipeline p = org.bigarrays.codec.Encoding.find(name).orElseThrow().pipeline(type);
        return (in, s, out) -> {
            org.bigarrays.codec.ChunkLayout l = new org.bigarrays.codec.ChunkLayout(s, 1, type);
            p.decode(in, l, out, "bench");
            return l.byteSize();
        };
    }

    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * An LZ4 frame decoded block by block (what {@code LZ4FrameInputStream} does without its stream
     * and buffer copies), the content checksum checked as the frame asks.
     */
    private static Decoder lz4() {
        LZ4SafeDecompressor d = Lz4.factory().safeDecompressor();
        XXHash32 xx = Lz4.xxhash().hash32();
        return (in, shape, out) -> {
            ByteBuffer src = in.asByteBuffer(), dst = out.asByteBuffer();
            int flg = src.get(4) & 0xFF;
            int pos = 7 + ((flg & 0x08) != 0 ? 8 : 0) + ((flg & 0x01) != 0 ? 4 : 0); // magic, FLG, BD, [size], [dict], HC
            int produced = 0;
            while (true) {
                int word = in.get(INT_LE, pos);
                pos += 4;
                if (word == 0) break;
                int n = word & 0x7FFFFFFF;
                if (word < 0) { // stored uncompressed
                    MemorySegment.copy(in, pos, out, produced, n);
                    produced += n;
                } else {
                    produced += d.decompress(src, pos, n, dst, produced, dst.capacity() - produced);
                }
                pos += n + ((flg & 0x10) != 0 ? 4 : 0);
            }
            if ((flg & 0x04) != 0 && xx.hash(dst, 0, produced, 0) != in.get(INT_LE, pos)) throw new IllegalStateException("lz4 content checksum");
            return produced;
        };
    }

    /**
     * png through the project's binding, as BigArrays' png codec reads it: one call, the IDATs
     * inflated at once by libdeflate and the rows unfiltered ({@code ba_png_decode_libdeflate}), the
     * gray image straight into the buffer, no CRC checks (BigArrays checks the CRCs in its header
     * scan, so the bare decoder does less). Where that path is unavailable, libspng with its CRC
     * checks on. Not the codec's path: no header scan, no pipeline.
     */
    private static Decoder png() {
        if (!org.bigarrays.nativ.Spng.available()) throw new IllegalStateException("png: " + org.bigarrays.nativ.Spng.status());
        boolean whole = org.bigarrays.nativ.Spng.wholeAvailable();
        return (in, shape, out) -> {
            int w = (int) shape[0], h = (int) (shape[1] * shape[2]);
            if (whole) {
                org.bigarrays.nativ.Spng.decodeWhole(in, w, h, 1, 8, out.asSlice(0, (long) w * h), "bare");
            } else {
                org.bigarrays.nativ.Spng.decodeLibspng(in, w, h, 1, 8, false, out.asSlice(0, (long) w * h), "bare");
            }
            return (long) w * h;
        };
    }

    private static Decoder blosc() {
        Linker l = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup("libblosc.so.1", Arena.global());
        MethodHandle h = l.downcallHandle(lib.findOrThrow("blosc_decompress_ctx"),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
        return (in, shape, out) -> {
            int n;
            try {
                n = (int) h.invokeExact(in, out, out.byteSize(), 1);
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            if (n < 0) throw new IllegalStateException("blosc_decompress_ctx " + n);
            return n;
        };
    }

    /**
     * Which library and version each side decodes {@code encoding} with (no spaces: one token of the
     * child's RESULT line), so that "the same library on both sides" can be read off the table.
     */
    static String versions(String encoding) {
        try {
            return switch (encoding) {
                // zstd-jni bundles its own libzstd (1.5.7 where the system's is 1.5.4): named so a fallback shows.
                case "zstd" -> "bare=libzstd.so.1-" + zstdVersion() + ",bigarrays=" + (org.bigarrays.codec.Compression.ZSTD.codec().toString().contains("jni")
                        ? "zstd-jni-" + com.github.luben.zstd.util.ZstdVersion.VERSION : "libzstd.so.1-" + zstdVersion());
                case "gzip" -> "bare=libdeflate.so.0,bigarrays=" + org.bigarrays.codec.Compression.GZIP.codec().toString().replace(' ', '-');
                case "lz4" -> "both=lz4-java-" + Lz4.factory().toString().replaceAll("\\s", "") + "(same-jar)";
                case "jpeg" -> "both=libturbojpeg.so.0(project-binding)";
                case "png" -> org.bigarrays.nativ.Spng.wholeAvailable() ? "both=libdeflate.so.0+png-rows(project-binding,ba_png_decode_libdeflate)"
                        : org.bigarrays.codec.PngCodec.of(6).usesSpng() ? "both=libspng.so.0-" + spngVersion() + "(project-binding)"
                        : "bare=libspng.so.0-" + spngVersion() + ",bigarrays=JDK-ImageIO-" + Runtime.version().feature();
                case "cseg" -> "both=libbigarrays-ba_cseg_decode";
                case "blosc" -> "both=libblosc.so.1-" + bloscVersion();
                default -> "?";
            };
        } catch (RuntimeException | LinkageError e) {
            return "unknown(" + e.getClass().getSimpleName() + ")";
        }
    }

    private static String zstdVersion() {
        try {
            MethodHandle h = Linker.nativeLinker().downcallHandle(SymbolLookup.libraryLookup("libzstd.so.1", Arena.global()).findOrThrow("ZSTD_versionNumber"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT));
            int v = (int) h.invokeExact();
            return v / 10000 + "." + v / 100 % 100 + "." + v % 100;
        } catch (Throwable t) {
            return "?";
        }
    }

    private static String spngVersion() {
        try {
            MethodHandle h = Linker.nativeLinker().downcallHandle(SymbolLookup.libraryLookup("libspng.so.0", Arena.global()).findOrThrow("spng_version_string"),
                    FunctionDescriptor.of(ValueLayout.ADDRESS));
            MemorySegment s = (MemorySegment) h.invokeExact();
            return s.reinterpret(64).getString(0);
        } catch (Throwable t) {
            return "?";
        }
    }

    private static String bloscVersion() {
        try {
            MethodHandle h = Linker.nativeLinker().downcallHandle(SymbolLookup.libraryLookup("libblosc.so.1", Arena.global()).findOrThrow("blosc_get_version_string"),
                    FunctionDescriptor.of(ValueLayout.ADDRESS));
            MemorySegment s = (MemorySegment) h.invokeExact();
            return s.reinterpret(64).getString(0);
        } catch (Throwable t) {
            return "?";
        }
    }
}
