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
    protected List<Subject> subjects() {
        return all(true);
    }

    @Override
    protected List<Subject> twins() {
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

    /** Issue 15.7: a frame declaring 40000x40000 fails on its SOF, before a decoder allocates for it. */
    @Test
    void hugeDeclaredFrameFailsOnTheHeader() {
        ChunkLayout l = new ChunkLayout(new long[] {13, 9, 5}, 1, DataType.UINT8);
        for (JpegCodec c : new JpegCodec[] {JpegCodec.of(90), JpegCodec.of(90).javaOnly()}) {
            byte[] jpeg = c.encode(Subjects.sample(l, Subjects.Data.SMOOTH, 1), l).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            int sof = 2;
            while (!((jpeg[sof] & 0xff) == 0xff && ((jpeg[sof + 1] & 0xff) == 0xc0 || (jpeg[sof + 1] & 0xff) == 0xc2))) sof++;
            for (int k : new int[] {5, 7}) { // height, width
                jpeg[sof + k] = (byte) (40000 >> 8);
                jpeg[sof + k + 1] = (byte) 40000;
            }
            java.lang.foreign.MemorySegment out = java.lang.foreign.MemorySegment.ofArray(new byte[(int) l.byteSize()]);
            org.bigarrays.CorruptChunkException e = org.junit.jupiter.api.Assertions.assertThrows(org.bigarrays.CorruptChunkException.class,
                    () -> c.decode(java.lang.foreign.MemorySegment.ofArray(jpeg), l, out, "k"));
            assertTrue(e.getMessage().contains("40000x40000"), e.getMessage());
        }
    }
}
