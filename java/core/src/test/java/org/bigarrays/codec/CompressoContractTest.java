package org.bigarrays.codec;

import java.util.ArrayList;
import java.util.List;
import org.bigarrays.core.DataType;

/** The codec contract for compresso: the codec in use (C where loaded) and, as its twin, the Java codec. */
class CompressoContractTest extends CodecContract {
    private static final DataType[] TYPES = {DataType.UINT8, DataType.UINT16, DataType.UINT32, DataType.UINT64};

    static List<Subject> all() {
        return of(CompressoCodec.INSTANCE);
    }

    private static List<Subject> of(CompressoCodec codec) {
        List<Subject> out = new ArrayList<>();
        for (ChunkLayout l : Subjects.layouts(TYPES, 1)) out.add(Subjects.array(codec, l, Subjects.Data.LABELS, 0));
        return out;
    }

    @Override
    protected List<Subject> subjects() {
        return all();
    }

    @Override
    protected List<Subject> twins() {
        return of(CompressoCodec.INSTANCE.javaOnly());
    }
}
