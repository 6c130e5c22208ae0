#!/usr/bin/env python3
# usage: scripts/make-strip-tiff.py OUT.tif WIDTH HEIGHT [ROWS_PER_STRIP]  (needs numpy)
# For the ingest memory figures in README.md: a deflate uint8 TIFF in strips (one strip by default).
# Pixel (x, y) = (x + 3*y + (x*y >> 7)) & 255; rows are generated and deflated 256 at a time (little memory).
import sys, struct, zlib, numpy as np
out, W, H = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows_per_strip = int(sys.argv[4]) if len(sys.argv) > 4 else H
x = np.arange(W, dtype=np.int64)
with open(out, 'wb') as f:
    f.write(b'II*\x00' + struct.pack('<I', 0))  # IFD offset patched later
    offsets, counts = [], []
    for y0 in range(0, H, rows_per_strip):
        co = zlib.compressobj(1)
        start = f.tell(); n = 0
        for y in range(y0, min(H, y0 + rows_per_strip), 256):
            ys = np.arange(y, min(H, y0 + rows_per_strip, y + 256), dtype=np.int64)[:, None]
            block = ((x[None, :] + 3 * ys + ((x[None, :] * ys) >> 7)) & 255).astype(np.uint8)
            d = co.compress(block.tobytes()); f.write(d); n += len(d)
        d = co.flush(); f.write(d); n += len(d)
        offsets.append(start); counts.append(n)
    if f.tell() % 2: f.write(b'\x00')
    # strip arrays
    so = f.tell(); f.write(struct.pack('<%dI' % len(offsets), *offsets))
    sc = f.tell(); f.write(struct.pack('<%dI' % len(counts), *counts))
    ifd = f.tell()
    ns = len(offsets)
    def e(tag, typ, cnt, val): return struct.pack('<HHII', tag, typ, cnt, val)
    ents = [e(256, 4, 1, W), e(257, 4, 1, H), e(258, 3, 1, 8), e(259, 3, 1, 8), e(262, 3, 1, 1),
            e(273, 4, ns, offsets[0] if ns == 1 else so), e(277, 3, 1, 1), e(278, 4, 1, rows_per_strip),
            e(279, 4, ns, counts[0] if ns == 1 else sc), e(284, 3, 1, 1)]
    f.write(struct.pack('<H', len(ents)) + b''.join(ents) + struct.pack('<I', 0))
    f.seek(4); f.write(struct.pack('<I', ifd))
