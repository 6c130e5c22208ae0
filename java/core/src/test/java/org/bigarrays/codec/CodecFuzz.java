package org.bigarrays.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.bigarrays.core.DataType;
import org.bigarrays.sharding.MinishardIndex;

/**
 * The decoder fuzz command (issue 15): the seeded mutation loop of {@link CodecContract} over
 * every codec, its twin, whole pipelines and the minishard index parser (plain and gzip), for
 * {@code N} executions in all. Prints executions per second and outcome counts per subject; any
 * outcome other than data or {@code CorruptChunkException}, or a write outside the output, stops
 * it with the failing input. Usage: {@code CodecFuzz [executions=1000000] [seed=1]}.
 */
public final class CodecFuzz {
    private CodecFuzz() {}

    static List<CodecContract.Subject> subjects() {
        List<CodecContract.Subject> all = new ArrayList<>();
        all.addAll(RawCodecContractTest.all());
        all.addAll(CompressedSegmentationContractTest.all());
        all.addAll(CompressoContractTest.all());
        all.addAll(JpegCodecContractTest.all(true));
        all.addAll(JpegCodecContractTest.all(false));
        all.addAll(PngCodecContractTest.all());
        all.addAll(GzipCodecContractTest.all(GzipCodec.DEFAULT));
        all.addAll(GzipCodecContractTest.all(GzipCodec.JAVA));
        all.addAll(ZstdCodecContractTest.all(ZstdCodec.INSTANCE));
        all.addAll(ZstdCodecContractTest.all(ZstdCodec.JNI));
        all.addAll(Lz4CodecContractTest.all(Lz4Codec.DEFAULT));
        all.addAll(Lz4CodecContractTest.all(Lz4Codec.JAVA));
        all.addAll(BloscCodecContractTest.all());
        all.addAll(CodecPipelineContractTest.all());
        all.add(minishardIndex(false));
        all.add(minishardIndex(true));
        return all;
    }

    /** The minishard index parser ({@code [3][n]} uint64 LE), optionally gzip-wrapped as shards store it. */
    static CodecContract.Subject minishardIndex(boolean gzip) {
        int n = 20;
        long cap = 24L * n;
        return new CodecContract.Subject() {
            public String name() {
                return "minishard index" + (gzip ? " (gzip)" : "");
            }

            public long capacity() {
                return cap;
            }

            public MemorySegment sample(long seed) {
                MemorySegment s = MemorySegment.ofArray(new byte[(int) cap]);
                for (int i = 0; i < n; i++) {
                    s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L * i, 1 + (i * seed) % 5);
                    s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L * (n + i), i == 0 ? 0 : 3);
                    s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8L * (2 * n + i), 100 + i);
                }
                return s;
            }

            public MemorySegment encode(MemorySegment plain) {
                return gzip ? GzipCodec.DEFAULT.encode(plain) : plain;
            }

            public long decode(MemorySegment encoded, MemorySegment into, String key) {
                long k = encoded.byteSize();
                if (gzip) k = GzipCodec.DEFAULT.decode(encoded, into, key);
                else if (k > cap) throw new org.bigarrays.CorruptChunkException(key, "index larger than " + cap);
                else MemorySegment.copy(encoded, 0, into, 0, k);
                MinishardIndex.decode(into.asSlice(0, k).toArray(ValueLayout.JAVA_BYTE), 1000, 1 << 20, key);
                return k;
            }

            public MemorySegment oversized(long seed) {
                return encode(MemorySegment.ofArray(new byte[(int) cap * 2]));
            }
        };
    }

    public static void main(String[] args) {
        long total = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        List<CodecContract.Subject> subjects = subjects();
        int per = (int) Math.max(1, total / subjects.size());
        long decoded = 0, corrupt = 0;
        long t0 = System.nanoTime();
        for (CodecContract.Subject s : subjects) {
            long t = System.nanoTime();
            int[] o = CodecContract.run(s, seed, per);
            decoded += o[0];
            corrupt += o[1];
            System.out.printf("%-60s %9d runs  %8d data  %8d corrupt  %9.0f/s%n", s.name(), per, o[0], o[1], per / ((System.nanoTime() - t) / 1e9));
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        System.out.printf("total: %d executions over %d subjects in %.1f s (%.0f/s): %d decoded, %d CorruptChunkException, 0 other outcomes%n",
                decoded + corrupt, subjects.size(), secs, (decoded + corrupt) / secs, decoded, corrupt);
    }
}
