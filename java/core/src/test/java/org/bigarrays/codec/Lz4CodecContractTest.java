package org.bigarrays.codec;

import java.util.List;
import org.junit.jupiter.api.Test;

/** lz4-java's fastest (JNI) implementation and its twin, the pure-Java one. */
class Lz4CodecContractTest extends CodecContract {
    static List<Subject> all(Lz4Codec c) {
        return List.of(Subjects.bytes(c, 1), Subjects.bytes(c, 1000), Subjects.bytes(c, 70_000));
    }

    @Override
    protected List<Subject> subjects() {
        return all(Lz4Codec.DEFAULT);
    }

    @Override
    protected List<Subject> twins() {
        return all(Lz4Codec.JAVA);
    }

    @Test
    void twinRejectsMutationsToo() {
        for (Subject s : twins()) CodecContract.run(s, 9, 500);
    }
}
