package org.bigarrays.codec;

import java.util.List;

/** zstd-jni only: no pure-Java twin in the dependencies. */
class ZstdCodecContractTest extends CodecContract {
    static List<Subject> all() {
        return List.of(Subjects.bytes(ZstdCodec.INSTANCE, 1), Subjects.bytes(ZstdCodec.INSTANCE, 1000), Subjects.bytes(ZstdCodec.INSTANCE, 70_000));
    }

    @Override
    List<Subject> subjects() {
        return all();
    }
}
