package org.bigarrays.bench.harness;

import java.nio.file.Path;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;
import org.bigarrays.array.Options;
import org.bigarrays.precomputed.Info;

/** BigArrays on a local file store (precomputed format). */
final class BigArraysPeer implements Peer {
    static Options options(SideBySide.Case c) {
        return Options.defaults().withThreads(c.threads(), Math.max(c.threads(), 4 * c.threads()))
                .withCompression(SideBySide.compression(c.encoding()));
    }

    @Override
    public boolean supports(SideBySide.Case c) {
        return true; // the harness only builds cases whose encoding BigArrays has
    }

    @Override
    public void write(Path dir, NdView volume, SideBySide.Case c) {
        long[] s = volume.shape();
        Info info = Info.builder(c.type(), new long[] {s[0], s[1], s[2]}, new long[] {c.chunk(), c.chunk(), c.chunk()}).build();
        try (BigArray arr = BigArray.create(dir.toUri().toString(), info, options(c))) {
            arr.write(volume);
        }
    }

    @Override
    public Reader open(Path dir, SideBySide.Case c) {
        BigArray arr = BigArray.open(dir.toUri().toString(), options(c));
        return new Reader() {
            @Override
            public void read(Box box, NdView into) {
                arr.read(box, into);
            }

            @Override
            public void close() {
                arr.close();
            }
        };
    }
}
