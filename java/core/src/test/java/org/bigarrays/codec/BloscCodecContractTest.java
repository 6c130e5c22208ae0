package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** libblosc only: no twin. */
class BloscCodecContractTest extends CodecContract {
    static List<Subject> all() {
        return List.of(Subjects.bytes(new BloscCodec(1), 1000), Subjects.bytes(new BloscCodec(4), 70_000));
    }

    @Override
    protected List<Subject> subjects() {
        org.junit.jupiter.api.Assumptions.assumeFalse(org.bigarrays.nativ.NativeLibrary.disabledGlobally(),
                "blosc has no pure-Java twin: with BIGARRAYS_NATIVE=0 it is refused (bloscIsLoadedHereUnlessNativeCodeIsOff, CodecPipelineTest)");
        return all();
    }

    @Test
    void bloscIsLoadedHereUnlessNativeCodeIsOff() {
        if (org.bigarrays.nativ.NativeLibrary.disabledGlobally()) {
            // BIGARRAYS_NATIVE=0 turns libblosc off too (there is no pure-Java twin): every blosc chunk is refused alike.
            assertFalse(BloscCodec.available(), "libblosc is off with the native code");
        } else {
            assertTrue(BloscCodec.available(), "libblosc.so.1 is installed on this machine (Debian libblosc1)");
        }
    }
}
