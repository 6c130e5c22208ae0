package org.bigarrays.codec;

import java.util.List;
import org.bigarrays.core.DataType;

/** Whole pipelines: array codecs under transport compression, and BigArrays.jl's encodings. */
class CodecPipelineContractTest extends CodecContract {
    static List<Subject> all() {
        ChunkLayout u8 = new ChunkLayout(new long[] {13, 9, 5}, 1, DataType.UINT8);
        ChunkLayout u32 = new ChunkLayout(new long[] {13, 9, 5}, 2, DataType.UINT32);
        ChunkLayout f32 = new ChunkLayout(new long[] {13, 9, 5}, 1, DataType.FLOAT32);
        List<Subject> all = new java.util.ArrayList<>(List.of(
                Subjects.pipeline(CodecPipeline.of(Encoding.COMPRESSED_SEGMENTATION, DataType.UINT32, null, null, null, true), u32, Subjects.Data.LABELS, Compression.GZIP),
                Subjects.pipeline(CodecPipeline.of(Encoding.RAW, DataType.UINT8, null, null, null, true), u8, Subjects.Data.SMOOTH, Compression.GZIP),
                Subjects.pipeline(CodecPipeline.of(Encoding.RAW, DataType.FLOAT32, null, null, null, true), f32, Subjects.Data.NOISE, Compression.ZSTD),
                Subjects.pipeline(CodecPipeline.of(Encoding.PNG, DataType.UINT8, null, null, null, true), u8, Subjects.Data.SMOOTH, Compression.LZ4),
                Subjects.pipeline(CodecPipeline.of(Encoding.GZIP, DataType.UINT32, null, null, null, true), u32, Subjects.Data.LABELS, Compression.NONE)));
        // blosc has no pure-Java twin: with native code switched off (./test's second run) it cannot
        // encode at all, which NativeSwitchTest asserts; BloscCodecContractTest checks it is loaded here.
        if (!org.bigarrays.nativ.NativeLibrary.BLOSC.disabledByConfiguration()) {
            all.add(Subjects.pipeline(CodecPipeline.of(Encoding.BLOSCLZ, DataType.UINT32, null, null, null, true), u32, Subjects.Data.LABELS, Compression.NONE));
        }
        return all;
    }

    @Override
    protected List<Subject> subjects() {
        return all();
    }
}
