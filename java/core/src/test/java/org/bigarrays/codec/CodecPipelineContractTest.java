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
                Subjects.pipeline(Encoding.COMPRESSED_SEGMENTATION.pipeline(DataType.UINT32).withTransportDetection(), u32, Subjects.Data.LABELS, Compression.GZIP),
                Subjects.pipeline(Encoding.RAW.pipeline(DataType.UINT8).withTransportDetection(), u8, Subjects.Data.SMOOTH, Compression.GZIP),
                Subjects.pipeline(Encoding.RAW.pipeline(DataType.FLOAT32).withTransportDetection(), f32, Subjects.Data.NOISE, Compression.ZSTD),
                Subjects.pipeline(Encoding.PNG.pipeline(DataType.UINT8).withTransportDetection(), u8, Subjects.Data.SMOOTH, Compression.LZ4),
                Subjects.pipeline(Encoding.GZIP.pipeline(DataType.UINT32), u32, Subjects.Data.LABELS, Compression.NONE)));
        // blosc has no pure-Java twin: with native code switched off (./test's second run) it cannot
        // encode at all, which NativeSwitchTest asserts; BloscCodecContractTest checks it is loaded here.
        if (!org.bigarrays.nativ.NativeLibrary.BLOSC.disabledByConfiguration()) {
            all.add(Subjects.pipeline(Encoding.BLOSCLZ.pipeline(DataType.UINT32), u32, Subjects.Data.LABELS, Compression.NONE));
        }
        return all;
    }

    @Override
    protected List<Subject> subjects() {
        return all();
    }
}
