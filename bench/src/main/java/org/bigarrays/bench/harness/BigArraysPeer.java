package org.bigarrays.bench.harness;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.bigarrays.array.BigArray;
import org.bigarrays.core.Box;
import org.bigarrays.core.NdView;
import org.bigarrays.array.Options;
import org.bigarrays.precomputed.Info;

/**
 * BigArrays on a local file store (precomputed format), read the way a user's code does it:
 * {@link Api#INTO} reuses the harness's buffer ({@code read(box, into)}, the tuned path);
 * {@link Api#SIMPLE} calls {@code read(box)} and takes a new result every time (the README's
 * first example); {@link Api#ARENA} reads into a confined arena closed after each read
 * ({@code read(box, arena)}).
 */
final class BigArraysPeer implements Peer {
    enum Api { INTO, SIMPLE, ARENA }

    private final Api api;

    BigArraysPeer() {
        this(Api.INTO);
    }

    BigArraysPeer(Api api) {
        this.api = api;
    }

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
        // Durable by default (fsync per chunk file and directory); --no-fsync compares like for like
        // with peers that do not sync.
        String url = dir.toUri() + (SideBySide.durableWrites() ? "" : "?fsync=false");
        try (BigArray arr = BigArray.create(url, info, options(c))) {
            arr.write(volume);
        }
    }

    @Override
    public Reader open(Path dir, SideBySide.Case c) {
        BigArray arr = BigArray.open(dir.toUri().toString(), options(c));
        return new Reader() {
            private boolean checked;

            @Override
            public void read(Box box, NdView into) {
                switch (api) {
                    case INTO -> arr.read(box, into);
                    case SIMPLE -> keepFirst(arr.read(box), into);
                    case ARENA -> {
                        try (Arena a = Arena.ofConfined()) {
                            keepFirst(arr.read(box, a), into);
                        }
                    }
                }
            }

            /** The first result goes to the harness's buffer (it checks the voxels); later ones are dropped, as a loop would. */
            private void keepFirst(NdView result, NdView into) {
                if (checked) return;
                MemorySegment.copy(result.segment(), 0, into.segment(), 0, into.byteSize());
                checked = true;
            }

            @Override
            public void close() {
                arr.close();
            }
        };
    }
}
