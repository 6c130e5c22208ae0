"""The value formula every peer-written test array follows (the same as values.mjs and the Java
tests' PeerArrayFormula; README.md beside this file states it)."""
import hashlib
import math

import numpy as np

MULTIPLIER = 0x9E3779B97F4A7C15
INCREMENT = 0x2545F4914F6CDD1D


def expected_array(dtype, shape, source_shape, stride, missing, chunks, fill):
    """The array of the formula: voxel i holds f(C-order linear index of i*stride in source_shape),
    except inside the listed missing chunks (grid coordinates for the chunk shape), which hold fill."""
    idx = np.indices(shape, dtype=np.uint64)
    lin = np.zeros(shape, dtype=np.uint64)
    for d in range(len(shape)):
        lin = lin * np.uint64(source_shape[d]) + idx[d] * np.uint64(stride[d])
    if dtype.kind == "f":
        v = ((lin * np.uint64(7919)) % np.uint64(65536)).astype(np.float64) * 0.25 - 8192.0
    else:
        bits = dtype.itemsize * 8
        with np.errstate(over="ignore"):
            u = lin * np.uint64(MULTIPLIER) + np.uint64(INCREMENT)
        u = u >> np.uint64(64 - bits)
        v = u.astype(np.dtype(f"u{dtype.itemsize}")).view(np.dtype(f"{dtype.kind}{dtype.itemsize}"))
    v = v.astype(dtype)
    for m in missing:
        v[tuple(slice(c * k, (c + 1) * k) for c, k in zip(m, chunks))] = fill
    return v


def sha256_le(a):
    """Hex SHA-256 of the array's values, little-endian, in C order."""
    le = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<"))
    return hashlib.sha256(le.tobytes()).hexdigest()


def json_value(v, dtype):
    """A value as the manifest writes it: 64-bit integers as decimal strings, special floats as
    "NaN", "Infinity", "-Infinity", other numbers as JSON numbers."""
    if dtype.kind == "f":
        v = float(v)
        if math.isnan(v):
            return "NaN"
        if math.isinf(v):
            return "Infinity" if v > 0 else "-Infinity"
        return v
    return str(int(v)) if dtype.itemsize == 8 else int(v)
