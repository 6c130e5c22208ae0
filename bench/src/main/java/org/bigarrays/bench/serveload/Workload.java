package org.bigarrays.bench.serveload;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bigarrays.core.Box;

/**
 * Random requests of the enabled classes, drawn by weight: cutouts at random positions inside
 * the volume (mip 0, raw), chunk GETs of random mip-0 chunks, batches of {@link #BATCH_BOXES}
 * random 64³ boxes. The layer is uint8 with one channel. Each client draws from its own seeded {@link Random}, so every target gets
 * the same request sequence.
 */
final class Workload {
    static final int BATCH_BOXES = 16;

    /**
     * One request: {@code target} is relative to the layer's URL; {@code body} is set for a POST;
     * {@code expectedBytes} is the body length of a right answer (-1: not known in advance; a
     * batch's .npz has at least its voxel bytes, headers and zip records come on top).
     */
    record Request(RequestClass cls, String target, String body, List<Box> boxes, long expectedBytes) {}

    private final long[] size;
    private final long[] chunk;
    private final String scaleKey;
    private final List<RequestClass> classes;
    private final int totalWeight;

    /** When set, cutouts are GETs of {@code <cutoutFiles>/cutout-<edge>.raw} instead (static files of the same size). */
    private final String cutoutFiles;

    Workload(long[] size, long[] chunk, String scaleKey, List<RequestClass> classes) {
        this(size, chunk, scaleKey, classes, null);
    }

    /** With {@code cutoutFiles} (relative to the layer's URL), cutouts become GETs of files of their size: the HTTP ceiling. */
    Workload(long[] size, long[] chunk, String scaleKey, List<RequestClass> classes, String cutoutFiles) {
        if (classes.isEmpty()) throw new IllegalArgumentException("no request classes");
        this.cutoutFiles = cutoutFiles;
        this.size = size.clone();
        this.chunk = chunk.clone();
        this.scaleKey = scaleKey;
        this.classes = List.copyOf(classes);
        this.totalWeight = classes.stream().mapToInt(c -> c.weight).sum();
    }

    List<RequestClass> classes() {
        return classes;
    }

    Request next(Random r) {
        int w = r.nextInt(totalWeight);
        RequestClass cls = classes.getLast();
        for (RequestClass c : classes) {
            if (w < c.weight) {
                cls = c;
                break;
            }
            w -= c.weight;
        }
        return switch (cls) {
            case CHUNK -> {
                long[] lo = new long[3];
                StringBuilder key = new StringBuilder(scaleKey).append('/');
                for (int d = 0; d < 3; d++) {
                    lo[d] = r.nextLong(size[d] / chunk[d]) * chunk[d];
                    if (d > 0) key.append('_');
                    key.append(lo[d]).append('-').append(Math.min(size[d], lo[d] + chunk[d]));
                }
                yield new Request(cls, key.toString(), null, List.of(), -1);
            }
            case BATCH -> {
                List<Box> boxes = new ArrayList<>();
                StringBuilder json = new StringBuilder("{\"mip\":0,\"boxes\":[");
                for (int i = 0; i < BATCH_BOXES; i++) {
                    Box b = box(r, cls.edge());
                    boxes.add(b);
                    json.append(i == 0 ? "" : ",").append('"').append(b).append('"');
                }
                yield new Request(cls, "cutouts", json.append("]}").toString(), boxes, boxes.stream().mapToLong(Box::volume).sum());
            }
            default -> {
                Box b = box(r, cls.edge());
                if (cutoutFiles != null) yield new Request(cls, cutoutFiles + "/" + fileName(cls), null, List.of(b), b.volume());
                yield new Request(cls, "cutout?box=" + b + "&format=raw", null, List.of(b), b.volume()); // uint8, one channel
            }
        };
    }

    /** The name of the static file standing for a cutout of {@code cls}. */
    static String fileName(RequestClass cls) {
        return "cutout-" + cls.edge() + ".raw";
    }

    /** The bytes of one cutout of {@code cls} (uint8; boxes are clipped to the volume). */
    long cutoutBytes(RequestClass cls) {
        long v = 1;
        for (int d = 0; d < 3; d++) v *= Math.min(cls.edge(), size[d]);
        return v;
    }

    private Box box(Random r, int edge) {
        long[] lo = new long[3];
        long[] hi = new long[3];
        for (int d = 0; d < 3; d++) {
            long e = Math.min(edge, size[d]);
            lo[d] = r.nextLong(size[d] - e + 1);
            hi[d] = lo[d] + e;
        }
        return Box.of(lo, hi);
    }
}
