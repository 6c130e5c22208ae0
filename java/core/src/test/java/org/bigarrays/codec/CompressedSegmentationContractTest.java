package org.bigarrays.codec;

import java.util.ArrayList;
import java.util.List;
import org.bigarrays.core.DataType;

class CompressedSegmentationContractTest extends CodecContract {
    static List<Subject> all() {
        List<Subject> out = new ArrayList<>();
        for (long[] block : new long[][] {{8, 8, 8}, {4, 3, 2}}) {
            for (ChunkLayout l : Subjects.layouts(new DataType[] {DataType.UINT32, DataType.UINT64}, 1, 2)) {
                out.add(Subjects.array(new CompressedSegmentationCodec(block), l, Subjects.Data.LABELS, 0));
            }
        }
        return out;
    }

    @Override
    protected List<Subject> subjects() {
        return all();
    }
}
