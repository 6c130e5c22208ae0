package org.bigarrays.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bigarrays.core.DataType;
import org.bigarrays.codec.ChunkLayout;
import org.bigarrays.codec.ArrayCodec;
import org.bigarrays.codec.CompressedSegmentationCodec;
import org.bigarrays.codec.Compression;
import org.bigarrays.codec.GzipCodec;
import org.bigarrays.codec.JpegCodec;
import org.bigarrays.codec.PngCodec;
import org.bigarrays.codec.RawCodec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode and encode throughput of one 64³ chunk per codec, single thread. Inputs: "em", a
 * synthetic EM-like uint8 chunk (smooth texture plus noise), and "labels", the FIB-25 64³
 * uint64 segmentation from the shared fixtures. Each case is "data/codec", where codec is a
 * transport compression around raw (gzip = libdeflate via FFM; decodeJavaZip = the same bytes through
 * java.util.zip), or an encoding (cseg = the C codec in libbigarrays, cseg-java = its Java twin, jpeg, png).
 * Throughput in MB/s of decoded voxels = ops/s × decoded bytes (em 0.262 MB, labels 2.097 MB).
 * The run prints each case's encoded size, for the compression ratio.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class CodecBenchmark {
    @Param({"em/gzip", "em/zstd", "em/lz4", "em/jpeg", "em/png", "labels/gzip", "labels/zstd", "labels/lz4", "labels/cseg", "labels/cseg-java"})
    public String kase;

    private ArrayCodec codec;
    private Compression compression;
    private ChunkLayout layout;
    private MemorySegment chunk;
    private MemorySegment encoded;
    private MemorySegment out;
    private MemorySegment plain;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        String[] p = kase.split("/");
        Arena arena = Arena.ofAuto();
        layout = layoutFor(p[0]);
        chunk = arena.allocate(layout.byteSize()).copyFrom(MemorySegment.ofArray(dataFor(p[0])));
        switch (p[1]) {
            case "cseg" -> { codec = new CompressedSegmentationCodec(new long[] {8, 8, 8}); compression = Compression.NONE; }
            // The pure-Java twin of the C codec above (libbigarrays), for the native-vs-Java figure.
            case "cseg-java" -> { codec = new CompressedSegmentationCodec(new long[] {8, 8, 8}).javaOnly(); compression = Compression.NONE; }
            case "jpeg" -> { codec = JpegCodec.of(85); compression = Compression.NONE; }
            case "png" -> { codec = PngCodec.of(6); compression = Compression.NONE; }
            default -> { codec = RawCodec.INSTANCE; compression = Compression.of(p[1]); }
        }
        MemorySegment enc = compression.compress(codec.encode(chunk, layout));
        encoded = arena.allocate(enc.byteSize()).copyFrom(enc);
        out = arena.allocate(layout.byteSize());
        plain = arena.allocate(layout.byteSize() * 2 + 4096);
        System.err.printf("%n%s: %d bytes -> %d encoded (ratio %.2f), libdeflate %s%n", kase, layout.byteSize(), encoded.byteSize(),
                (double) layout.byteSize() / encoded.byteSize(), GzipCodec.DEFAULT.usesLibdeflate());
    }

    /** The decoded layout of data set "em" or "labels". */
    static ChunkLayout layoutFor(String data) {
        return new ChunkLayout(new long[] {64, 64, 64}, 1, data.equals("em") ? DataType.UINT8 : DataType.UINT64);
    }

    /** The decoded bytes of data set "em" (synthetic, seeded) or "labels" (FIB-25 fixture). */
    static byte[] dataFor(String data) throws IOException {
        if (data.equals("em")) {
            byte[] b = new byte[64 * 64 * 64];
            Random r = new Random(1);
            int i = 0;
            for (int z = 0; z < 64; z++) for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++, i++) {
                double v = 128 + 60 * Math.sin(x / 9.0 + z / 13.0) * Math.cos(y / 7.0) + 12 * r.nextGaussian();
                b[i] = (byte) Math.clamp(Math.round(v), 0, 255);
            }
            return b;
        }
        return Files.readAllBytes(Path.of(System.getProperty("bigarrays.fixtures", "../shared/fixtures"),
                "neuroglancer/compressed_segmentation/64x64x64-raw-uint64-segmentation.dat"));
    }

    @Benchmark
    public long decode() {
        if (compression == Compression.NONE) {
            codec.decode(encoded, layout, out, "bench");
            return out.get(ValueLayout.JAVA_BYTE, 0);
        }
        long n = compression.decompress(encoded, plain, "bench");
        codec.decode(plain.asSlice(0, n), layout, out, "bench");
        return n;
    }

    @Benchmark
    public long encode() {
        return compression.compress(codec.encode(chunk, layout)).byteSize();
    }

    /** The same gzip bytes through java.util.zip, the baseline for libdeflate (other cases: no-op). */
    @Benchmark
    public long decodeJavaZip() {
        if (compression != Compression.GZIP) return 0;
        return GzipCodec.JAVA.decode(encoded, out, "bench");
    }
}
