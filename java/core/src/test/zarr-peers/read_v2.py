#!/usr/bin/python3
"""Reads a Zarr v2 array with Debian's python3-zarr and prints what it finds as one JSON object:
shape, dtype, chunks, order, compressor, fill_value, sha256 (values little-endian, C order),
samples (the first, last and middle voxel, and each --at index) and, with --values, every value
in C order.

Usage: read_v2.py DIR ARRAY_PATH [--values] [--at i,j,k]...
"""
import json
import sys

import numpy as np
import zarr

from values import json_value, sha256_le


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print("usage: read_v2.py DIR ARRAY_PATH [--values] [--at i,j,k]...", file=sys.stderr)
        return 2
    root, path, rest = args[0], args[1], args[2:]
    want_values = "--values" in rest
    at = [[int(x) for x in rest[i + 1].split(",")] for i, a in enumerate(rest) if a == "--at"]
    a = zarr.open_array(store=zarr.DirectoryStore(root), path=path or None, mode="r")
    data = a[...]
    shape = list(a.shape)
    points = [[0] * len(shape), [s - 1 for s in shape], [s // 2 for s in shape]] + at
    out = {
        "zarr_format": 2,
        "shape": shape,
        "dtype": a.dtype.str,
        "chunks": list(a.chunks),
        "order": a.order,
        "compressor": None if a.compressor is None else a.compressor.get_config(),
        "fill_value": json_value(a.fill_value, a.dtype) if a.fill_value is not None else None,
        "sha256": sha256_le(data),
        "samples": [{"index": p, "value": json_value(data[tuple(p)], a.dtype)} for p in points],
    }
    if want_values:
        out["values"] = [json_value(v, a.dtype) for v in data.ravel(order="C")]
    json.dump(out, sys.stdout, allow_nan=False)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
