package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** libdeflate and its twin java.util.zip. */
class GzipCodecContractTest extends CodecContract {
    static List<Subject> all(GzipCodec c) {
        return List.of(Subjects.bytes(c, 1), Subjects.bytes(c, 1000), Subjects.bytes(c, 70_000));
    }

    @Override
    protected List<Subject> subjects() {
        return all(GzipCodec.DEFAULT);
    }

    @Override
    protected List<Subject> twins() {
        return all(GzipCodec.JAVA);
    }

    @Test
    void libdeflateIsLoadedHere() {
        if (org.bigarrays.nativ.NativeLibrary.LIBDEFLATE.disabledByConfiguration()) {
            assertTrue(!GzipCodec.DEFAULT.usesLibdeflate(), "BIGARRAYS_NATIVE=0: java.util.zip");
            return;
        }
        assertTrue(GzipCodec.DEFAULT.usesLibdeflate(), "libdeflate.so.0 is installed on this machine; without it the twins are one codec");
    }

    @Test
    void twinRejectsMutationsToo() {
        for (Subject s : twins()) CodecContract.run(s, 9, 500);
    }
}
