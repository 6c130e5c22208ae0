package org.bigarrays.spark;

import java.io.Serializable;
import org.bigarrays.core.Box;

/** A box as Spark ships it to a task ({@link Box} itself is not serializable), with the scale it belongs to. */
record TaskBox(int mip, long[] min, long[] max) implements Serializable {
    static TaskBox of(int mip, Box b) {
        return new TaskBox(mip, b.min(), b.max());
    }

    Box box() {
        return Box.of(min, max);
    }

    /** The name of this box's done-marker in a job record. */
    String taskName() {
        return org.bigarrays.array.JobRecord.task(mip, box());
    }

    @Override
    public String toString() {
        return box() + (mip == 0 ? "" : " (mip " + mip + ")");
    }
}
