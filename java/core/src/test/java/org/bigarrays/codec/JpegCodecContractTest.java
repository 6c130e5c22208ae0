package org.bigarrays.codec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bigarrays.core.DataType;
import org.junit.jupiter.api.Test;

/** TurboJPEG and its twin ImageIO; lossy, so round trips are compared with a tolerance. */
class JpegCodecContractTest extends CodecContract {
    static List<Subject> all(boolean turbo) {
        JpegCodec c = turbo ? JpegCodec.of(90) : JpegCodec.of(90).javaOnly();
        return Subjects.layouts(new DataType[] {DataType.UINT8}, 1, 3).stream()
                // RGB is stored 4:2:0 (chroma at half resolution): larger errors than gray are expected.
                .map(l -> Subjects.array(c, l, Subjects.Data.SMOOTH, l.channels() == 3 ? 10 : 4)).toList();
    }

    @Override
    List<Subject> subjects() {
        return all(true);
    }

    @Override
    List<Subject> twins() {
        return all(false);
    }

    @Test
    void turboJpegIsLoadedHere() {
        assertTrue(JpegCodec.of(90).usesTurboJpeg(), "libturbojpeg.so.0 is installed on this machine; without it the twins are one codec");
    }

    @Test
    void twinRejectsMutationsToo() {
        for (Subject s : twins()) CodecContract.run(s, 9, 300);
    }
}
