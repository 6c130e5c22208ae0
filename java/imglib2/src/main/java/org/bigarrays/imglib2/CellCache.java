package org.bigarrays.imglib2;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;
import net.imglib2.img.cell.Cell;
import net.imglib2.img.cell.LazyCellImg;

/**
 * The cells an image touched last, up to a byte budget (least recently used first out), so that
 * a RandomAccess going back and forth between neighbouring cells does not read them again.
 * Thread-safe; a cell missing here is loaded outside the lock (two threads may both load it).
 */
final class CellCache<A> implements LazyCellImg.Get<Cell<A>> {
    private final LongFunction<Cell<A>> loader;
    private final long maxBytes;
    private final Map<Long, Cell<A>> cells = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    CellCache(LongFunction<Cell<A>> loader, long maxBytes) {
        this.loader = loader;
        this.maxBytes = maxBytes;
    }

    @Override
    public Cell<A> get(long index) {
        synchronized (this) {
            Cell<A> c = cells.get(index);
            if (c != null) return c;
        }
        Cell<A> c = loader.apply(index);
        synchronized (this) {
            Cell<A> old = cells.put(index, c);
            if (old != null) bytes -= size(old);
            bytes += size(c);
            var it = cells.entrySet().iterator();
            while (bytes > maxBytes && cells.size() > 1 && it.hasNext()) {
                var e = it.next();
                if (e.getKey() == index) continue;
                bytes -= size(e.getValue());
                it.remove();
            }
        }
        return c;
    }

    /** Voxels as the budget's unit scale: 8 bytes each at most, counted as 8 to stay on the safe side. */
    private static long size(Cell<?> c) {
        return c.size() * 8;
    }
}
