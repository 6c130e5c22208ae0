package org.bigarrays.codec;

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
        return all();
    }

    @Test
    void bloscIsLoadedHere() {
        assertTrue(BloscCodec.available(), "libblosc.so.1 is installed on this machine (Debian libblosc1)");
    }
}
