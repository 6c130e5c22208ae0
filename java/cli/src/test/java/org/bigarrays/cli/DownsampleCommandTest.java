package org.bigarrays.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;
import org.bigarrays.downsample.DownsampleMethod;
import org.bigarrays.downsample.DownsampleReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bigarrays downsample}: fills mips that equal the reference model; usage errors exit 2 naming the value. */
class DownsampleCommandTest {
    @TempDir
    Path tmp;

    private static byte[] bytes(NdView v) {
        return v.segment().asSlice(v.byteOffset(), v.byteSize()).toArray(ValueLayout.JAVA_BYTE);
    }

    @Test
    void createWriteDownsampleThenEveryMipMatchesTheReference() {
        String url = tmp.resolve("img").toString();
        InProcess.run("create", url, "--dtype", "uint8", "--size", "37,29,11", "--chunk", "8,8,4", "--offset", "3,-5,1",
                "--resolution", "4,4,40").ok();
        NdView mip0;
        try (BigArray a = BigArray.open(url)) {
            mip0 = a.read(a.bounds());
            long n = mip0.byteSize();
            for (long i = 0; i < n; i++) mip0.segment().set(ValueLayout.JAVA_BYTE, i, (byte) ((i * 37) ^ (i >>> 3)));
            a.write(mip0);
        }
        InProcess.Run r = InProcess.run("downsample", url, "--mips", "4").ok();
        assertTrue(r.stderr().contains("4 scale(s) added"), r.stderr());
        try (BigArray a = BigArray.open(url)) {
            assertEquals(5, a.info().scales().size());
            assertEquals("32_32_40", a.info().scale(3).key(), "z at 40 nm is over twice 16: 2,2,1");
            assertEquals("64_64_80", a.info().scale(4).key(), "then 2,2,2 once z is no longer over twice x/y");
            NdView cur = mip0;
            for (int k = 1; k <= 4; k++) {
                long[] f = k < 4 ? new long[] {2, 2, 1} : new long[] {2, 2, 2};
                cur = DownsampleReference.downsample(cur, f, DownsampleMethod.MEAN, false, 0);
                BigArray m = a.mip(k);
                assertArrayEquals(bytes(cur), bytes(m.read(m.bounds())), "mip " + k);
            }
        }
        // Filling again with mode over a box: the existing scales are reused, nothing is added.
        r = InProcess.run("downsample", url, "--method", "mode", "--box", "3,-5,1:11,3,5").ok();
        assertTrue(r.stderr().contains("0 scale(s) added"), r.stderr());
    }

    @Test
    void badInputExitsTwoNamingIt() {
        String url = tmp.resolve("seg").toString();
        InProcess.run("create", url, "--dtype", "uint64", "--size", "16,16,8", "--chunk", "8,8,8", "--type", "segmentation", "--mips", "1").ok();
        InProcess.run("downsample", url, "--factor", "2,0,1").failsWith(2, "factor", "[2, 0, 1]");
        InProcess.run("downsample", url, "--factor", "2,2").failsWith(2, "--factor", "2,2");
        InProcess.run("downsample", url, "--method", "average").failsWith(2, "average", "mean, mode, median, min or max");
        InProcess.run("downsample", url, "--factor", "2,2,2").failsWith(2, "scale '2_2_1'", "size");
        InProcess.run("downsample", url, "--box", "100,100,100:101,101,101").failsWith(2, "box", "100,100,100");
        InProcess.run("downsample", tmp.resolve("nothing").toString()).failsWith(2, "info");
        InProcess.run("downsample", url, "--fill", "-1").failsWith(2, "--fill", "-1", "uint64");
        InProcess.Run help = InProcess.run("downsample", "--help").ok();
        for (String o : new String[] {"--mips", "--factor", "--method", "--sparse", "--box", "--chunk"}) assertTrue(help.out().contains(o), o);
        // The existing mip 1 (2,2,1) filled with mode.
        InProcess.run("downsample", url).ok();
    }
}
