package org.bigarrays.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.bigarrays.StorageException;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;
import org.bigarrays.array.Options;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bigarrays cutout URL --box x0,y0,z0:x1,y1,z1 -o OUT}: read a box to .npy, raw bytes or stdout. */
@Command(name = "cutout", description = "Cut out a box: OUT.npy (shape x,y,z,c, Fortran order), raw little-endian bytes, or - for stdout.")
final class CutoutCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "URL")
    String url;

    @Option(names = "--box", required = true, paramLabel = "x0,y0,z0:x1,y1,z1", description = "half-open box in voxel coordinates of the mip")
    String box;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT")
    String output;

    @Mixin
    ReadWriteOptions rw;

    @Override
    public Integer call() throws IOException {
        Box b = Box.parse(box);
        long t0 = System.nanoTime();
        try (BigArray a = BigArray.open(url, Options.defaults()).mip(rw.mip); Terminal.Bar bar = new Terminal.Bar("cutout");
             Arena arena = Arena.ofShared()) {
            BigArray arr = a.withOptions(rw.apply(a.options()).withProgress(bar.listener()));
            NdView v = arr.read(b, arena);
            bar.close();
            write(v, output);
            double s = (System.nanoTime() - t0) / 1e9;
            if (!output.equals("-")) {
                System.err.printf("cut out %s (%s x%d, %.1f MB) from %s mip %d to %s in %.2f s%n", b, v.dataType(), arr.channels(),
                        v.byteSize() / 1e6, arr.uri(), arr.mip(), output, s);
            }
        }
        return Main.OK;
    }

    static void write(NdView v, String output) throws IOException {
        boolean stdout = output.equals("-");
        OutputStream os = stdout ? new FileOutputStream(FileDescriptor.out) : Files.newOutputStream(Path.of(output));
        try (OutputStream out = new BufferedOutputStream(os, 1 << 16)) {
            if (!stdout && output.endsWith(".npy")) Npy.writeHeader(out, v.dataType(), v.shape());
            out.flush();
            WritableByteChannel ch = Channels.newChannel(out);
            ByteBuffer bb = v.segment().asSlice(v.byteOffset(), v.byteSize()).asByteBuffer();
            while (bb.hasRemaining()) ch.write(bb);
        } catch (IOException e) {
            throw new StorageException(output, "", "write output", e.toString(), e);
        }
    }
}
