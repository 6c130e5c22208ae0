package org.bigarrays.bench.harness;

import io.tiledb.java.api.Array;
import io.tiledb.java.api.ArraySchema;
import io.tiledb.java.api.ArrayType;
import io.tiledb.java.api.Attribute;
import io.tiledb.java.api.Config;
import io.tiledb.java.api.Context;
import io.tiledb.java.api.Datatype;
import io.tiledb.java.api.Dimension;
import io.tiledb.java.api.Domain;
import io.tiledb.java.api.FilterList;
import io.tiledb.java.api.GzipFilter;
import io.tiledb.java.api.Layout;
import io.tiledb.java.api.Pair;
import io.tiledb.java.api.Query;
import io.tiledb.java.api.QueryStatus;
import io.tiledb.java.api.QueryType;
import io.tiledb.java.api.SubArray;
import io.tiledb.java.api.ZstdFilter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.bigarrays.core.Box;
import org.bigarrays.core.DataType;
import org.bigarrays.core.NdView;

/**
 * TileDB-Java (bundled TileDB engine): dense array with dims (z, y, x), row-major tile and cell
 * order (so x is fastest, as in our buffers), tiles = the case's chunk shape, one attribute with
 * a gzip (level 6) or zstd (level 3) filter, BigArrays' levels; compute and I/O concurrency = the case's threads. Buffers
 * are direct ByteBuffers over our native segments, so no Java-array copies.
 */
final class TileDbPeer implements Peer {
    static final String ATTR = "v";

    @Override
    public boolean supports(SideBySide.Case c) {
        return List.of("raw", "gzip", "zstd").contains(c.encoding()); // the filters this peer maps
    }

    static Context context(SideBySide.Case c) throws Exception {
        Config cfg = new Config();
        cfg.set("sm.compute_concurrency_level", Integer.toString(c.threads()));
        cfg.set("sm.io_concurrency_level", Integer.toString(c.threads()));
        return new Context(cfg);
    }

    static Datatype type(SideBySide.Case c) {
        return c.type() == DataType.UINT8 ? Datatype.TILEDB_UINT8 : Datatype.TILEDB_UINT64;
    }

    static ByteBuffer buffer(NdView v) {
        return v.segment().asSlice(v.byteOffset(), v.byteSize()).asByteBuffer().order(ByteOrder.nativeOrder());
    }

    @Override
    public void write(Path dir, NdView volume, SideBySide.Case c) throws Exception {
        long[] s = volume.shape();
        String uri = dir.resolve("volume.tdb").toString();
        try (Context ctx = context(c)) {
            Domain dom = new Domain(ctx);
            String[] names = {"z", "y", "x"};
            long[] ext = {s[2], s[1], s[0]};
            for (int k = 0; k < 3; k++) {
                dom.addDimension(new Dimension<>(ctx, names[k], Long.class, new Pair<>(0L, ext[k] - 1), c.chunk()));
            }
            Attribute a = new Attribute(ctx, ATTR, type(c));
            FilterList fl = new FilterList(ctx);
            switch (c.encoding()) {
                case "gzip" -> fl.addFilter(new GzipFilter(ctx, 6));
                case "zstd" -> fl.addFilter(new ZstdFilter(ctx, zstdLevel())); // BigArrays' default level 3 (zstd's default) unless told, like for like
                default -> { }
            }
            a.setFilterList(fl);
            ArraySchema schema = new ArraySchema(ctx, ArrayType.TILEDB_DENSE);
            schema.setTileOrder(Layout.TILEDB_ROW_MAJOR);
            schema.setCellOrder(Layout.TILEDB_ROW_MAJOR);
            schema.setDomain(dom);
            schema.addAttribute(a);
            Array.create(uri, schema);
            try (Array arr = new Array(ctx, uri, QueryType.TILEDB_WRITE);
                 Query q = new Query(arr, QueryType.TILEDB_WRITE);
                 SubArray sub = new SubArray(ctx, arr)) {
                for (int k = 0; k < 3; k++) sub.addRange(k, 0L, ext[k] - 1, null);
                q.setSubarray(sub);
                q.setLayout(Layout.TILEDB_ROW_MAJOR);
                q.setDataBuffer(ATTR, buffer(volume));
                QueryStatus st = q.submit();
                if (st != QueryStatus.TILEDB_COMPLETED) throw new IllegalStateException("TileDB write " + st);
                q.finalizeQuery();
            }
            schema.close();
            fl.close();
            a.close();
            dom.close();
        }
    }

    @Override
    public Reader open(Path dir, SideBySide.Case c) throws Exception {
        Context ctx = context(c);
        Array arr = new Array(ctx, dir.resolve("volume.tdb").toString(), QueryType.TILEDB_READ);
        return new Reader() {
            @Override
            public void read(Box box, NdView into) throws Exception {
                try (Query q = new Query(arr, QueryType.TILEDB_READ); SubArray sub = new SubArray(ctx, arr)) {
                    for (int k = 0; k < 3; k++) sub.addRange(k, box.min(2 - k), box.max(2 - k) - 1, null);
                    q.setSubarray(sub);
                    q.setLayout(Layout.TILEDB_ROW_MAJOR);
                    q.setDataBuffer(ATTR, buffer(into));
                    QueryStatus st = q.submit();
                    if (st != QueryStatus.TILEDB_COMPLETED) throw new IllegalStateException("TileDB read " + st);
                }
            }

            @Override
            public void close() {
                arr.close();
                ctx.close();
            }
        };
    }

    /** Set to TileDB's zstd filter level (default 3, BigArrays' default): {@link Writes}' {@code --tiledb-zstd-level}. */
    static final String ZSTD_LEVEL = "bigarrays.bench.tiledbZstdLevel";

    static int zstdLevel() {
        return Integer.getInteger(ZSTD_LEVEL, 3);
    }
}
