// Writes Zarr v3 test arrays with zarrita (an implementation independent of ours) into DIR, plus
// DIR/manifest.json describing each (see README.md beside this file).
//
// Usage: node write-v3.mjs DIR   (DIR must not exist or be empty)
//
// zarrita 0.7.5 cannot write sharded arrays ("set on sharded arrays" is unsupported), so a shard is
// put together here: its inner chunks are encoded by zarrita as an unsharded array of the inner
// chunk shape with the inner codecs, and its index by zarrita as a uint64 array with the index
// codecs; only the concatenation and the offsets are this file's. Everything written is read back
// through zarrita and checked against the formula before the manifest is written.
import fs from 'node:fs';
import path from 'node:path';
import {
  PEERS_DIR, expectedArray, jsonValue, linearIndex, load, openArray, sameValues, sha256, toCOrder,
} from './peers.mjs';

const { zarr, FileSystemStore } = await load();
const SHAPE = [45, 33, 20];   // no dimension a multiple of the chunk shape: edge chunks are partial
const CHUNKS = [16, 16, 8];
const ZYX = ['z', 'y', 'x'];
const LE = { name: 'bytes', configuration: { endian: 'little' } };
const BE = { name: 'bytes', configuration: { endian: 'big' } };
const gzip = (level) => ({ name: 'gzip', configuration: { level } });
const zstd = (level) => ({ name: 'zstd', configuration: { level, checksum: false } });
const blosc = (cname, shuffle, typesize) => ({
  name: 'blosc', configuration: { cname, clevel: 5, shuffle, typesize, blocksize: 0 },
});
const CRC = { name: 'crc32c' };
const defaultKeys = (separator) => ({ name: 'default', configuration: { separator } });
const v2Keys = (separator) => ({ name: 'v2', configuration: { separator } });

// Unsharded: chunks listed in `missing` are deleted after writing (they read as the fill value).
// Sharded: `missing` lists inner chunks left out of their shard's index, `missingShards` shards not
// written at all.
const ARRAYS = [
  { path: 'u1_gzip', dtype: 'uint8', codecs: [LE, gzip(5)], fill: 0, keys: defaultKeys('/'), missing: [[0, 0, 0], [2, 1, 2]] },
  { path: 'u2_be_zstd_dotkeys', dtype: 'uint16', codecs: [BE, zstd(3)], fill: 7, keys: defaultKeys('.'), missing: [[1, 1, 1]] },
  { path: 'u4_blosc_v2keys', dtype: 'uint32', codecs: [LE, blosc('lz4', 'shuffle', 4)], fill: 0, keys: v2Keys('.'), missing: [[2, 2, 0]] },
  { path: 'u8_crc32c', dtype: 'uint64', codecs: [LE, CRC], fill: 0, keys: defaultKeys('/'), missing: [[0, 1, 1]] },
  { path: 'i2_transpose_gzip', dtype: 'int16', codecs: [{ name: 'transpose', configuration: { order: [2, 1, 0] } }, LE, gzip(1)], fill: -3, keys: defaultKeys('/'), missing: [[1, 0, 2]] },
  { path: 'f4_zstd_nan_v2slash', dtype: 'float32', codecs: [LE, zstd(1)], fill: 'NaN', keys: v2Keys('/'), missing: [[0, 0, 1], [2, 2, 2]] },
  { path: 'f4_be_blosc_bitshuffle', dtype: 'float32', codecs: [BE, blosc('zstd', 'bitshuffle', 4)], fill: 0.5, keys: defaultKeys('/'), missing: [] },
  {
    path: 'sharded_end_u2', dtype: 'uint16', fill: 0, keys: defaultKeys('/'),
    shard: [32, 32, 16], inner: CHUNKS, innerCodecs: [LE, gzip(5)], indexCodecs: [LE, CRC], indexLocation: 'end',
    missing: [[0, 0, 0], [1, 1, 0], [2, 0, 2]], missingShards: [[1, 1, 1]],
  },
  {
    path: 'sharded_start_u1', dtype: 'uint8', fill: 9, keys: defaultKeys('/'),
    shard: [32, 32, 16], inner: CHUNKS, innerCodecs: [{ name: 'transpose', configuration: { order: [2, 0, 1] } }, LE, zstd(3)],
    indexCodecs: [LE, CRC], indexLocation: 'start', missing: [[1, 0, 1], [0, 1, 0]], missingShards: [],
  },
  {
    path: 'sharded_end_u4_noindexcrc', dtype: 'uint32', fill: 0, keys: defaultKeys('.'),
    shard: [16, 32, 16], inner: [8, 16, 8], innerCodecs: [BE, blosc('lz4', 'shuffle', 4)], indexCodecs: [LE], indexLocation: 'end',
    missing: [[5, 1, 2]], missingShards: [[0, 0, 0]],
  },
];

// OME-Zarr 0.5: a 2-level pyramid of a (c, z, y, x) image; level 1 takes every second y and x of level 0.
// Written twice: chunks of one channel ("ome", the layout most OME-Zarr writers use) and chunks
// holding both channels ("ome_whole_channels").
const OME_SHAPE = [2, 20, 45, 33];
const omeLevels = (group, c) => [
  { path: `${group}/0`, shape: OME_SHAPE, stride: [1, 1, 1, 1], chunks: [c, 8, 16, 16], scale: [1, 1.5, 0.5, 0.5] },
  { path: `${group}/1`, shape: [2, 20, 23, 17], stride: [1, 1, 2, 2], chunks: [c, 8, 16, 16], scale: [1, 1.5, 1, 1] },
];
const OME_GROUPS = [{ group: 'ome', levels: omeLevels('ome', 1) }, { group: 'ome_whole_channels', levels: omeLevels('ome_whole_channels', 2) }];
const OME_TRANSLATION = [0, 10, 20, 30];

function usage(msg) {
  console.error(`write-v3.mjs: ${msg}`);
  process.exit(2);
}

const root = process.argv[2];
if (!root || process.argv.length !== 3) usage('usage: node write-v3.mjs DIR');
if (fs.existsSync(root) && fs.readdirSync(root).length > 0) {
  console.error(`write-v3.mjs: ${root} is not empty`);
  process.exit(1);
}
fs.mkdirSync(root, { recursive: true });
const store = new FileSystemStore(root);

function writeJson(rel, obj) {
  const file = path.join(root, rel, 'zarr.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(obj, null, 1));
}

function arrayMetadata({ shape, dtype, chunks, keys, codecs, fill, names, attributes = {} }) {
  return {
    zarr_format: 3, node_type: 'array', shape, data_type: dtype,
    chunk_grid: { name: 'regular', configuration: { chunk_shape: chunks } },
    chunk_key_encoding: keys, fill_value: fill, codecs, dimension_names: names, attributes,
  };
}

function chunkKey(keys, coords) {
  const sep = keys.configuration.separator;
  return keys.name === 'default' ? ['c', ...coords].join(sep) : coords.join(sep);
}

function boxOf(coords, size, shape) {
  return [coords.map((c, d) => c * size[d]), coords.map((c, d) => Math.min((c + 1) * size[d], shape[d]))];
}

function* grid(counts) {
  const idx = counts.map(() => 0);
  if (counts.some((c) => c === 0)) return;
  for (;;) {
    yield idx.slice();
    let d = counts.length - 1;
    for (; d >= 0; d--) {
      if (++idx[d] < counts[d]) break;
      idx[d] = 0;
    }
    if (d < 0) return;
  }
}

const cOrderStrides = (shape) => shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));

/** zarrita encodes `data` (C order, of `shape`) as an unsharded array in memory; returns the store. */
async function encodeInMemory(shape, chunks, dtype, codecs, fill, data) {
  const mem = new Map();
  const arr = await zarr.create(zarr.root(mem), { shape, chunkShape: chunks, dtype, codecs, fillValue: fill });
  await zarr.set(arr, null, { data, shape, stride: cOrderStrides(shape) });
  return (coords) => mem.get('/' + ['c', ...coords].join('/'));
}

async function writeSharded(a, data) {
  const cps = a.shard.map((s, d) => s / a.inner[d]);
  const inner = await encodeInMemory(SHAPE, a.inner, a.dtype, a.innerCodecs, a.fill, data);
  const n = cps.reduce((x, y) => x * y, 1);
  const encodeIndex = async (entries) =>
    (await encodeInMemory([...cps, 2], [...cps, 2], 'uint64', a.indexCodecs, 0, entries))(cps.map(() => 0).concat(0));
  const indexSize = (await encodeIndex(new BigUint64Array(2 * n))).length;
  const shardCounts = SHAPE.map((s, d) => Math.ceil(s / a.shard[d]));
  const missing = new Set(a.missing.map((c) => c.join(',')));
  for (const s of grid(shardCounts)) {
    if (a.missingShards.some((m) => m.join(',') === s.join(','))) continue;
    const entries = new BigUint64Array(2 * n).fill(0xffffffffffffffffn);
    const parts = [];
    let offset = a.indexLocation === 'start' ? indexSize : 0;
    let i = 0;
    for (const j of grid(cps)) {
      const c = j.map((x, d) => s[d] * cps[d] + x);
      const outside = c.some((x, d) => x * a.inner[d] >= SHAPE[d]);
      if (!outside && !missing.has(c.join(','))) {
        const bytes = inner(c);
        if (!bytes) throw new Error(`zarrita wrote no inner chunk ${c}`);
        entries[2 * i] = BigInt(offset);
        entries[2 * i + 1] = BigInt(bytes.length);
        parts.push(bytes);
        offset += bytes.length;
      }
      i++;
    }
    const index = await encodeIndex(entries);
    const shard = a.indexLocation === 'start' ? [index, ...parts] : [...parts, index];
    const file = path.join(root, a.path, ...chunkKey(a.keys, s).split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.concat(shard.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
  }
}

async function readBack(relPath) {
  const { array } = await openArray(zarr, store, relPath);
  return toCOrder(await zarr.get(array, null));
}

function samplesOf(values, shape) {
  const points = [shape.map(() => 0), shape.map((s) => s - 1), shape.map((s) => Math.floor(s / 2))];
  return points.map((p) => ({ index: p, value: jsonValue(values[linearIndex(p, shape)]) }));
}

async function check(relPath, want) {
  const back = await readBack(relPath);
  if (!sameValues(back, want)) {
    console.error(`write-v3.mjs: ${relPath}: zarrita read back other values than the formula`);
    process.exit(1);
  }
  return back;
}

const entries = [];
writeJson('', { zarr_format: 3, node_type: 'group', attributes: {} });
for (const a of ARRAYS) {
  const ones = SHAPE.map(() => 1);
  const data = expectedArray(a.dtype, SHAPE, SHAPE, ones, [], a.fill);
  let fillRegions;
  let meta;
  if (a.shard) {
    const sharding = {
      name: 'sharding_indexed',
      configuration: { chunk_shape: a.inner, codecs: a.innerCodecs, index_codecs: a.indexCodecs, index_location: a.indexLocation },
    };
    meta = arrayMetadata({ shape: SHAPE, dtype: a.dtype, chunks: a.shard, keys: a.keys, codecs: [sharding], fill: a.fill, names: ZYX });
    writeJson(a.path, meta);
    await writeSharded(a, data);
    fillRegions = [...a.missing.map((c) => boxOf(c, a.inner, SHAPE)), ...a.missingShards.map((c) => boxOf(c, a.shard, SHAPE))];
  } else {
    meta = arrayMetadata({ shape: SHAPE, dtype: a.dtype, chunks: CHUNKS, keys: a.keys, codecs: a.codecs, fill: a.fill, names: ZYX });
    writeJson(a.path, meta);
    const arr = await zarr.open(zarr.root(store).resolve(a.path), { kind: 'array' });
    await zarr.set(arr, null, { data, shape: SHAPE, stride: cOrderStrides(SHAPE) });
    for (const m of a.missing) fs.rmSync(path.join(root, a.path, ...chunkKey(a.keys, m).split('/')));
    fillRegions = a.missing.map((c) => boxOf(c, CHUNKS, SHAPE));
  }
  const want = expectedArray(a.dtype, SHAPE, SHAPE, ones, fillRegions, a.fill);
  const back = await check(a.path, want);
  entries.push({
    path: a.path, shape: SHAPE, data_type: a.dtype, chunk_shape: meta.chunk_grid.configuration.chunk_shape,
    chunk_key_encoding: a.keys, codecs: meta.codecs, fill_value: a.fill, dimension_names: ZYX,
    ...(a.shard ? {
      sharding: { chunk_shape: a.inner, index_location: a.indexLocation },
      missing_inner_chunks: a.missing, missing_shards: a.missingShards,
    } : { missing_chunks: a.missing }),
    fill_regions: fillRegions,
    values: { source_shape: SHAPE, stride: ones },
    sha256: sha256(back),
    samples: samplesOf(back, SHAPE),
  });
}

// The OME-Zarr groups and their levels.
const axes = [
  { name: 'c', type: 'channel' },
  { name: 'z', type: 'space', unit: 'micrometer' },
  { name: 'y', type: 'space', unit: 'micrometer' },
  { name: 'x', type: 'space', unit: 'micrometer' },
];
for (const { group, levels } of OME_GROUPS) {
  const ome = {
    version: '0.5',
    multiscales: [{
      name: 'peer-image',
      axes,
      datasets: levels.map((l) => ({
        path: l.path.split('/')[1],
        coordinateTransformations: [{ type: 'scale', scale: l.scale }, { type: 'translation', translation: OME_TRANSLATION }],
      })),
    }],
  };
  writeJson(group, { zarr_format: 3, node_type: 'group', attributes: { ome } });
  for (const l of levels) {
    const names = axes.map((x) => x.name);
    const meta = arrayMetadata({ shape: l.shape, dtype: 'uint16', chunks: l.chunks, keys: defaultKeys('/'), codecs: [LE, zstd(3)], fill: 0, names });
    writeJson(l.path, meta);
    const data = expectedArray('uint16', l.shape, OME_SHAPE, l.stride, [], 0);
    const arr = await zarr.open(zarr.root(store).resolve(l.path), { kind: 'array' });
    await zarr.set(arr, null, { data, shape: l.shape, stride: cOrderStrides(l.shape) });
    const back = await check(l.path, data);
    entries.push({
      path: l.path, shape: l.shape, data_type: 'uint16', chunk_shape: l.chunks, chunk_key_encoding: meta.chunk_key_encoding,
      codecs: meta.codecs, fill_value: 0, dimension_names: names, missing_chunks: [], fill_regions: [],
      values: { source_shape: OME_SHAPE, stride: l.stride }, sha256: sha256(back), samples: samplesOf(back, l.shape),
    });
  }
}

const version = (name) => JSON.parse(fs.readFileSync(path.join(PEERS_DIR, 'node_modules', name, 'package.json'), 'utf8')).version;
const manifest = {
  format: 'zarr3',
  writer: `zarrita ${version('zarrita')}, @zarrita/storage ${version('@zarrita/storage')}, numcodecs.js ${version('numcodecs')}, node ${process.version}`,
  ...Object.fromEntries(OME_GROUPS.map(({ group, levels }) => [group === 'ome' ? 'ome_zarr' : `ome_zarr_${group.slice(4)}`, {
    group, levels: levels.map((l) => l.path), axes: axes.map((x) => x.name), translation: OME_TRANSLATION,
    scales: levels.map((l) => l.scale), chunk_shape: levels[0].chunks,
  }])),
  arrays: entries,
};
fs.writeFileSync(path.join(root, 'manifest.json.tmp'), JSON.stringify(manifest, null, 1));
fs.renameSync(path.join(root, 'manifest.json.tmp'), path.join(root, 'manifest.json'));
