package org.bigarrays.bench.harness;

import java.lang.foreign.Arena;
import java.nio.file.*;
import org.bigarrays.core.*;

/** A cutout action over the harness's volume, made in whichever class loader loads this. */
public class Loop2 {
    public static Runnable setup(String type, long boxE, String enc, Path dir, boolean write) throws Exception {
        DataType t = DataType.valueOf(type);
        SideBySide.Case c = new SideBySide.Case(t, boxE, 64, enc, 1);
        long off = c.chunk() / 2 + 3, edge = c.box() + 2 * off;
        Box box = Box.of(new long[] {off, off + 1, off + 2}, new long[] {off + c.box(), off + 1 + c.box(), off + 2 + c.box()});
        if (write) {
            Arena ar = Arena.ofShared();
            new BigArraysPeer().write(dir, SideBySide.volume(ar, t, new long[] {edge, edge, edge}), c);
            ar.close();
        }
        NdView into = NdView.allocate(Arena.ofAuto(), t, new long[4], new long[] {boxE, boxE, boxE, 1});
        Peer.Reader r = new BigArraysPeer().open(dir, c);
        return () -> { try { r.read(box, into); } catch (Exception e) { throw new RuntimeException(e); } };
    }
}
