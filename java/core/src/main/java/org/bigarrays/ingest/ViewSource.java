package org.bigarrays.ingest;

import java.util.concurrent.ExecutorService;
import org.bigarrays.InvalidInputException;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/** A {@link VolumeSource} over an {@link NdView} (a mapped .npy or raw file, or memory). */
final class ViewSource implements VolumeSource {
    private final NdView view;

    ViewSource(NdView v) {
        long[] s = v.shape();
        long[] st = v.strides();
        if (v.rank() == 3) {
            v = NdView.wrap(v.segment(), v.byteOffset(), v.dataType(), new long[] {0, 0, 0, 0}, new long[] {s[0], s[1], s[2], 1},
                    new long[] {st[0], st[1], st[2], st[2] * Math.max(1, s[2])});
        } else if (v.rank() == 4) {
            v = v.withOrigin(new long[4]);
        } else {
            throw new InvalidInputException("ingest source: expected a rank 3 or 4 [x,y,z(,c)] array, found rank " + v.rank());
        }
        this.view = v;
    }

    @Override
    public DataType dataType() {
        return view.dataType();
    }

    @Override
    public long[] shape() {
        return view.shape();
    }

    @Override
    public void read(Box box, NdView into, ExecutorService workers) {
        NdView part = view.subView(box);
        if (into.dataType() == part.dataType()) {
            into.copyFrom(part.withOrigin(into.origin()));
            return;
        }
        Convert.copy(part, into, "ingest source");
    }
}
