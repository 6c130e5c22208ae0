// Zarr v3 and OME-Zarr 0.5 layers for the browser test, written here by hand from the specs
// (zarr.json, C-order chunks, bytes/gzip/sharding_indexed/crc32c) so the test does not depend on
// BigArrays' own Zarr code, and a static file server for them (CORS, Range) on 127.0.0.1.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';

const DTYPES = { uint8: 1, uint16: 2, uint32: 4, uint64: 8 };

/** CRC-32C (Castagnoli), as the Zarr crc32c codec stores it. */
function crc32c(buf) {
  let crc = ~0;
  for (const b of buf) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
  }
  return (~crc) >>> 0;
}

/** One chunk of size [cz, cy, cx] at voxel origin [z0, y0, x0], C order, little endian. */
function chunkBytes(dtype, [cz, cy, cx], [z0, y0, x0], n, q) {
  const size = DTYPES[dtype];
  const buf = Buffer.alloc(cz * cy * cx * size);
  let o = 0;
  for (let z = 0; z < cz; z++) for (let y = 0; y < cy; y++) for (let x = 0; x < cx; x++, o += size) {
    const v = q[((x0 + x) >= n[0] / 2 ? 1 : 0) + ((y0 + y) >= n[1] / 2 ? 2 : 0)];
    buf.writeUIntLE(v, o, Math.min(size, 6));
  }
  return buf;
}

/**
 * Writes layer (name, dtype, zarr: {gzip, sharded, ome}, q) under dir/name: a volume of n =
 * [x, y, z] voxels of resolution res (nm), chunk [x, y, z], whose x-y quadrants hold q.
 * Sharded: one shard per outer chunk of 2 x 2 inner chunks, index (crc32c-checked) at the end,
 * or at the start with zarr.indexAtStart.
 * OME: a group with OME-Zarr 0.5 multiscales (one level, "0") giving the units and scales; the
 * plain arrays carry them as dimension_units, both read by Neuroglancer.
 */
export function writeZarrLayer(dir, layer, n, chunk, res) {
  const root = path.join(dir, layer.name);
  const arrayDir = layer.zarr.ome ? path.join(root, '0') : root;
  fs.mkdirSync(arrayDir, { recursive: true });
  const shape = [n[2], n[1], n[0]];
  const inner = [chunk[2], chunk[1], chunk[0]];
  const outer = layer.zarr.sharded ? [inner[0], inner[1] * 2, inner[2] * 2] : inner;
  const bytesCodec = { name: 'bytes', configuration: { endian: 'little' } };
  const chunkCodecs = layer.zarr.gzip ? [bytesCodec, { name: 'gzip', configuration: { level: 5 } }] : [bytesCodec];
  const codecs = layer.zarr.sharded
    ? [{ name: 'sharding_indexed', configuration: { chunk_shape: inner, codecs: chunkCodecs,
        index_codecs: [bytesCodec, { name: 'crc32c' }], index_location: layer.zarr.indexAtStart ? 'start' : 'end' } }]
    : chunkCodecs;
  const encode = raw => (layer.zarr.gzip ? zlib.gzipSync(raw) : raw);
  const meta = {
    zarr_format: 3, node_type: 'array', shape, data_type: layer.dtype,
    chunk_grid: { name: 'regular', configuration: { chunk_shape: outer } },
    chunk_key_encoding: { name: 'default', configuration: { separator: '/' } },
    fill_value: 0, codecs, dimension_names: ['z', 'y', 'x'],
    attributes: layer.zarr.ome ? {} : { dimension_units: [`${res[2]} nm`, `${res[1]} nm`, `${res[0]} nm`] },
  };
  fs.writeFileSync(path.join(arrayDir, 'zarr.json'), JSON.stringify(meta, null, 2));
  for (let z = 0; z < shape[0]; z += outer[0]) for (let y = 0; y < shape[1]; y += outer[1]) for (let x = 0; x < shape[2]; x += outer[2]) {
    let body;
    if (layer.zarr.sharded) {
      const parts = [], index = Buffer.alloc(16 * (outer[0] / inner[0]) * (outer[1] / inner[1]) * (outer[2] / inner[2]));
      let offset = layer.zarr.indexAtStart ? index.length + 4 : 0, entry = 0;
      for (let iz = 0; iz < outer[0]; iz += inner[0]) for (let iy = 0; iy < outer[1]; iy += inner[1]) for (let ix = 0; ix < outer[2]; ix += inner[2], entry++) {
        const c = encode(chunkBytes(layer.dtype, inner, [z + iz, y + iy, x + ix], n, layer.q));
        index.writeBigUInt64LE(BigInt(offset), entry * 16);
        index.writeBigUInt64LE(BigInt(c.length), entry * 16 + 8);
        parts.push(c);
        offset += c.length;
      }
      const crc = Buffer.alloc(4);
      crc.writeUInt32LE(crc32c(index));
      body = Buffer.concat(layer.zarr.indexAtStart ? [index, crc, ...parts] : [...parts, index, crc]);
    } else {
      body = encode(chunkBytes(layer.dtype, inner, [z, y, x], n, layer.q));
    }
    const key = path.join(arrayDir, 'c', String(z / outer[0]), String(y / outer[1]), String(x / outer[2]));
    fs.mkdirSync(path.dirname(key), { recursive: true });
    fs.writeFileSync(key, body);
  }
  if (layer.zarr.ome) {
    const axes = ['z', 'y', 'x'].map(a => ({ name: a, type: 'space', unit: 'nanometer' }));
    const multiscales = [{ name: layer.name, axes, datasets: [{ path: '0',
      coordinateTransformations: [{ type: 'scale', scale: [res[2], res[1], res[0]] }] }] }];
    fs.writeFileSync(path.join(root, 'zarr.json'), JSON.stringify({ zarr_format: 3, node_type: 'group',
      attributes: { ome: { version: '0.5', multiscales } } }, null, 2));
  }
}

/**
 * Serves the files under dir on 127.0.0.1 (GET and HEAD, single byte ranges "a-b", "a-" and
 * "-n" as Neuroglancer requests shard parts, CORS for any origin). Resolves to the server.
 */
export function serveFiles(dir) {
  const server = http.createServer((req, res) => {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Range, Content-Length');
    if (req.method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Headers', '*');
      res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD');
      res.writeHead(204).end();
      return;
    }
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = path.join(dir, path.normalize(rel));
    if (!file.startsWith(dir + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    const data = fs.readFileSync(file);
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range || '');
    let start = 0, end = data.length;
    if (range) {
      if (range[1] === '') start = Math.max(0, data.length - Number(range[2]));
      else { start = Number(range[1]); end = range[2] === '' ? data.length : Math.min(data.length, Number(range[2]) + 1); }
      if (start >= end) {
        res.writeHead(416, { 'Content-Range': `bytes */${data.length}` }).end();
        return;
      }
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end - 1}/${data.length}`, 'Content-Length': end - start });
    } else {
      res.writeHead(200, { 'Content-Length': data.length });
    }
    res.end(req.method === 'HEAD' ? undefined : data.subarray(start, end));
  });
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(server)));
}
