package org.bigarrays.codec;

import java.util.List;
import org.bigarrays.core.DataType;

class RawCodecContractTest extends CodecContract {
    static List<Subject> all() {
        return Subjects.layouts(DataType.values(), 1, 3).stream()
                .map(l -> Subjects.array(RawCodec.INSTANCE, l, Subjects.Data.NOISE, 0)).toList();
    }

    @Override
    protected List<Subject> subjects() {
        return all();
    }
}
