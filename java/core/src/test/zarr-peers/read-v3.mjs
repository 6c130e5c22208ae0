// Reads a Zarr v3 array with zarrita and prints what it finds as one JSON object: shape,
// data_type, chunk_shape (the chunk grid's; for a sharded array the shard shape), sharding
// (inner chunk_shape and index_location, or null), fill_value, dimension_names, codecs (names,
// outermost first), attributes, sha256 (values little-endian, C order), samples (the first, last and
// middle voxel, and each --at index) and, with --values, every value in C order.
//
// Usage: node read-v3.mjs DIR ARRAY_PATH [--values] [--at i,j,k]...
// ARRAY_PATH is relative to DIR ("" for an array at DIR itself). Exit 1 with the reason on stderr
// when zarrita cannot read the array (a crc32c mismatch included: see peers.mjs).
import { jsonValue, linearIndex, load, openArray, sha256, toCOrder } from './peers.mjs';

const args = process.argv.slice(2);
if (args.length < 2) {
  console.error('usage: node read-v3.mjs DIR ARRAY_PATH [--values] [--at i,j,k]...');
  process.exit(2);
}
const [root, relPath, ...rest] = args;
const at = [];
let wantValues = false;
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === '--values') wantValues = true;
  else if (rest[i] === '--at' && i + 1 < rest.length) at.push(rest[++i].split(',').map(Number));
  else {
    console.error(`read-v3.mjs: unknown argument ${rest[i]}`);
    process.exit(2);
  }
}
try {
  const { zarr, FileSystemStore } = await load();
  const { meta, array } = await openArray(zarr, new FileSystemStore(root), relPath);
  const values = toCOrder(await zarr.get(array, null));
  const shape = array.shape;
  for (const p of at) {
    if (p.length !== shape.length || p.some((x, d) => !(x >= 0 && x < shape[d]))) {
      throw new Error(`--at ${p} is outside the shape ${shape}`);
    }
  }
  const points = [shape.map(() => 0), shape.map((s) => s - 1), shape.map((s) => Math.floor(s / 2)), ...at];
  const sharding = meta.codecs.find((c) => c.name === 'sharding_indexed');
  const out = {
    zarr_format: 3,
    shape,
    data_type: array.dtype,
    chunk_shape: meta.chunk_grid.configuration.chunk_shape,
    sharding: sharding ? {
      chunk_shape: sharding.configuration.chunk_shape,
      index_location: sharding.configuration.index_location ?? 'end',
      codecs: sharding.configuration.codecs.map((c) => c.name),
      index_codecs: sharding.configuration.index_codecs.map((c) => c.name),
    } : null,
    fill_value: meta.fill_value,
    dimension_names: meta.dimension_names ?? null,
    codecs: meta.codecs.map((c) => c.name),
    attributes: meta.attributes ?? {},
    sha256: sha256(values),
    samples: points.map((p) => ({ index: p, value: jsonValue(values[linearIndex(p, shape)]) })),
  };
  if (wantValues) out.values = Array.from(values, jsonValue);
  process.stdout.write(JSON.stringify(out) + '\n');
} catch (e) {
  // zarrita wraps codec failures: name the cause too, on one line.
  const cause = e.cause ? `: ${e.cause.message ?? e.cause}` : '';
  console.error(`read-v3.mjs: ${relPath}: ${e.message}${cause}`);
  process.exit(1);
}
