package org.bigarrays.bench.harness;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.DatasetCreationOptions;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * jHDF (pure-Java HDF5): one chunked dataset, dims (z, y, x) so x is fastest as in our buffers;
 * chunks = the case's chunk edge; gzip = HDF5 deflate level 6 (BigArrays' gzip level). jHDF
 * works on Java arrays, so write converts the volume to {@code byte[][][]}/{@code long[][][]}
 * and read copies the returned array into the output buffer (part of its cost, as for a user).
 */
final class JhdfPeer implements Peer {
    static final String NAME = "data";

    @Override
    public boolean supports(SideBySide.Case c) {
        return c.encoding().equals("raw") || c.encoding().equals("gzip");
    }

    @Override
    public void write(Path dir, NdView volume, SideBySide.Case c) {
        long[] s = volume.shape();
        int nx = (int) s[0], ny = (int) s[1], nz = (int) s[2];
        MemorySegment seg = volume.segment();
        Object data;
        if (c.type() == DataType.UINT8) {
            byte[][][] a = new byte[nz][ny][nx];
            for (int z = 0; z < nz; z++) for (int y = 0; y < ny; y++)
                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, ((long) z * ny + y) * nx, a[z][y], 0, nx);
            data = a;
        } else {
            long[][][] a = new long[nz][ny][nx];
            for (int z = 0; z < nz; z++) for (int y = 0; y < ny; y++)
                MemorySegment.copy(seg, ValueLayout.JAVA_LONG_UNALIGNED, (((long) z * ny + y) * nx) * 8, a[z][y], 0, nx);
            data = a;
        }
        int ch = (int) c.chunk();
        DatasetCreationOptions.Builder b = DatasetCreationOptions.builder().chunkDimensions(ch, ch, ch);
        if (c.type() == DataType.UINT8) b.unsigned();
        if (c.encoding().equals("gzip")) b.deflate(6);
        try (WritableHdfFile f = HdfFile.write(dir.resolve("volume.h5"))) {
            f.putDataset(NAME, data, b.build());
        }
    }

    @Override
    public Reader open(Path dir, SideBySide.Case c) {
        HdfFile f = new HdfFile(dir.resolve("volume.h5"));
        Dataset ds = f.getDatasetByPath(NAME);
        return new Reader() {
            @Override
            public void read(Box box, NdView into) {
                int n0 = (int) (box.max(0) - box.min(0)), n1 = (int) (box.max(1) - box.min(1)), n2 = (int) (box.max(2) - box.min(2));
                Object got = ds.getData(new long[] {box.min(2), box.min(1), box.min(0)}, new int[] {n2, n1, n0});
                copyInto(got, into.segment(), n0, n1, n2);
            }

            @Override
            public void close() {
                f.close();
            }
        };
    }

    /** Copy a {@code [z][y][x]} Java array of any integer type into an x-fastest buffer. */
    static void copyInto(Object got, MemorySegment out, int nx, int ny, int nz) {
        long o = 0;
        for (int z = 0; z < nz; z++) {
            Object plane = java.lang.reflect.Array.get(got, z);
            for (int y = 0; y < ny; y++) {
                Object row = java.lang.reflect.Array.get(plane, y);
                switch (row) {
                    case byte[] r -> { MemorySegment.copy(r, 0, out, ValueLayout.JAVA_BYTE, o, nx); o += nx; }
                    case long[] r -> { MemorySegment.copy(r, 0, out, ValueLayout.JAVA_LONG_UNALIGNED, o, nx); o += 8L * nx; }
                    case short[] r -> { for (short v : r) out.set(ValueLayout.JAVA_BYTE, o++, (byte) v); } // uint8 widened
                    case int[] r -> { for (int v : r) out.set(ValueLayout.JAVA_BYTE, o++, (byte) v); }     // uint8 widened
                    default -> throw new IllegalStateException("jHDF returned " + row.getClass());
                }
            }
        }
    }
}
