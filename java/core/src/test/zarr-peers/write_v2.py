#!/usr/bin/python3
"""Writes Zarr v2 test arrays with Debian's python3-zarr (an implementation independent of ours)
into DIR, plus DIR/manifest.json describing each array (README.md beside this file describes it).

Usage: write_v2.py DIR   (DIR must not exist or be empty)
Every value follows the formula of values.py; the chunks listed as missing are deleted after
writing, so those voxels read as the fill value. The manifest's sha256 is taken over what zarr
reads back (little-endian, C order), and checked against the formula here before it is written.
"""
import json
import os
import sys

import numcodecs
import numpy as np
import zarr
from numcodecs import LZ4, Blosc, GZip, Zlib, Zstd

from values import expected_array, json_value, sha256_le

SHAPE = (45, 33, 20)   # no dimension a multiple of the chunk shape: edge chunks are partial
CHUNKS = (16, 16, 8)

# name, dtype, order, compressor, dimension separator, fill value, missing chunks, shape, chunks
ARRAYS = [
    ("u1_gzip_C_dot", "|u1", "C", GZip(level=5), ".", 0, [(0, 0, 0), (2, 1, 2)], SHAPE, CHUNKS),
    ("u2_zlib_F_slash", "<u2", "F", Zlib(level=1), "/", 7, [(1, 1, 1)], SHAPE, CHUNKS),
    ("i4_zstd_C_dot", "<i4", "C", Zstd(level=3), ".", -5, [(2, 2, 0)], SHAPE, CHUNKS),
    ("i4_be_gzip_C_slash", ">i4", "C", GZip(level=1), "/", 0, [], SHAPE, CHUNKS),
    ("f4_blosc_lz4_shuffle_F_dot", "<f4", "F", Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE), ".", 0.5,
     [(1, 0, 0)], SHAPE, CHUNKS),
    ("f8_lz4_C_slash", "<f8", "C", LZ4(), "/", float("nan"), [(0, 1, 1), (1, 0, 2)], SHAPE, CHUNKS),
    ("u1_raw_F_dot", "|u1", "F", None, ".", 3, [(2, 0, 1)], SHAPE, CHUNKS),
    ("u2_blosc_zstd_bitshuffle_2d", "<u2", "C",
     Blosc(cname="zstd", clevel=3, shuffle=Blosc.BITSHUFFLE), ".", 0, [(1, 1)], (100, 70), (32, 32)),
    ("u2_blosc_lz4_4d_slash", "<u2", "C", Blosc(cname="lz4", clevel=5, shuffle=Blosc.SHUFFLE), "/", 0,
     [(1, 2, 1, 0)], (2, 9, 17, 13), (1, 4, 8, 8)),
]


def chunk_key(coords, separator):
    return separator.join(str(c) for c in coords)


def main():
    if len(sys.argv) != 2:
        print("usage: write_v2.py DIR", file=sys.stderr)
        return 2
    root = sys.argv[1]
    if os.path.exists(root) and os.listdir(root):
        print(f"write_v2.py: {root} is not empty", file=sys.stderr)
        return 1
    zarr.open_group(root, mode="w")   # the root .zgroup
    entries = []
    for name, dtype, order, compressor, separator, fill, missing, shape, chunks in ARRAYS:
        path = os.path.join(root, name)
        store = zarr.DirectoryStore(path, dimension_separator=separator)
        a = zarr.open_array(store=store, mode="w", shape=shape, chunks=chunks, dtype=dtype, order=order,
                            compressor=compressor, fill_value=fill)
        data = expected_array(np.dtype(dtype), shape, shape, [1] * len(shape), [], chunks, None)
        a[...] = data
        for m in missing:
            os.remove(os.path.join(path, chunk_key(m, separator).replace("/", os.sep)))
        back = zarr.open_array(zarr.DirectoryStore(path, dimension_separator=separator), mode="r")[...]
        want = expected_array(np.dtype(dtype), shape, shape, [1] * len(shape), missing, chunks, fill)
        if not np.array_equal(back, want, equal_nan=True):
            print(f"write_v2.py: {name}: zarr read back other values than the formula", file=sys.stderr)
            return 1
        samples = [[0] * len(shape), [s - 1 for s in shape], [s // 2 for s in shape]]
        entries.append({
            "path": name,
            "shape": list(shape),
            "chunks": list(chunks),
            "dtype": dtype,
            "order": order,
            "compressor": None if compressor is None else compressor.get_config(),
            "dimension_separator": separator,
            "fill_value": json_value(fill, np.dtype(dtype)),
            "missing_chunks": [list(m) for m in missing],
            "fill_regions": [[[c * k for c, k in zip(m, chunks)], [min((c + 1) * k, n) for c, k, n in zip(m, chunks, shape)]]
                             for m in missing],
            "values": {"source_shape": list(shape), "stride": [1] * len(shape)},
            "sha256": sha256_le(back),
            "samples": [{"index": i, "value": json_value(back[tuple(i)], np.dtype(dtype))} for i in samples],
        })
    manifest = {
        "format": "zarr2",
        "writer": f"python3-zarr {zarr.__version__}, numcodecs {numcodecs.__version__}, numpy {np.__version__}",
        "arrays": entries,
    }
    tmp = os.path.join(root, "manifest.json.tmp")
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=1, allow_nan=False)
    os.rename(tmp, os.path.join(root, "manifest.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
