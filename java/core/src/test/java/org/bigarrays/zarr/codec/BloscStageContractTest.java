package org.bigarrays.zarr.codec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.bigarrays.codec.BloscCodec;
import org.bigarrays.codec.CodecContract;
import org.bigarrays.core.DataType;
import org.bigarrays.nativ.NativeLibrary;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code blosc} through the system's libblosc, every compressor and shuffle. libblosc has no
 * Java twin: with BIGARRAYS_NATIVE=0 it is off, these contracts do not apply, and
 * {@code ZarrCodecPipelineTest.bloscWithoutLibbloscSaysHowToTurnItOn} checks the error instead.
 */
class BloscStageContractTest extends CodecContract {
    static String blosc(String cname, int clevel, String shuffle, int typesize, int blocksize) {
        return "{\"name\":\"blosc\",\"configuration\":{\"cname\":\"" + cname + "\",\"clevel\":" + clevel + ",\"shuffle\":\"" + shuffle
                + "\",\"typesize\":" + typesize + ",\"blocksize\":" + blocksize + "}}";
    }

    @BeforeEach
    void libbloscIsOn() {
        Assumptions.assumeFalse(NativeLibrary.BLOSC.disabledByConfiguration(), "libblosc is turned off (BIGARRAYS_NATIVE=0)");
    }

    @Test
    void libbloscIsLoadedHere() {
        assertTrue(BloscCodec.available(), "libblosc.so.1 is installed on this machine (Debian libblosc1): " + NativeLibrary.BLOSC.status());
    }

    @Override
    protected List<Subject> subjects() {
        String le = "{\"name\":\"bytes\",\"configuration\":{\"endian\":\"little\"}}";
        List<Subject> all = new ArrayList<>();
        all.add(ZarrSubjects.pipeline("[" + le + "," + blosc("lz4", 5, "shuffle", 2, 0) + "]", DataType.UINT16, new long[] {16, 16, 8}));
        all.add(ZarrSubjects.pipeline("[" + le + "," + blosc("lz4hc", 9, "bitshuffle", 4, 0) + "]", DataType.FLOAT32, new long[] {20, 20}));
        all.add(ZarrSubjects.pipeline("[" + le + "," + blosc("blosclz", 1, "noshuffle", 1, 0) + "]", DataType.UINT64, new long[] {100}));
        all.add(ZarrSubjects.pipeline("[" + le + "," + blosc("zstd", 3, "shuffle", 8, 4096) + "]", DataType.INT64, new long[] {64, 16}));
        all.add(ZarrSubjects.pipeline("[" + le + "," + blosc("zlib", 0, "noshuffle", 2, 0) + "]", DataType.INT16, new long[] {3, 3}));
        all.add(ZarrSubjects.pipeline("[{\"name\":\"bytes\"}," + blosc("zstd", 5, "bitshuffle", 1, 0) + ",{\"name\":\"crc32c\"}]", DataType.UINT8, new long[] {1}));
        return all;
    }
}
