// Shared by write-v3.mjs and read-v3.mjs: loads zarrita from the folder scripts/zarr-peers.sh
// installs it into, completes its codec registry where zarrita 0.7.5 falls short, and holds the
// value formula (the same as values.py and the Java tests' PeerArrayFormula; see README.md).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const HERE = path.dirname(new URL(import.meta.url).pathname);

/** The folder holding node_modules: $BIGARRAYS_ZARR_PEERS, else build/zarr-peers in the checkout. */
export const PEERS_DIR = process.env.BIGARRAYS_ZARR_PEERS || path.resolve(HERE, '../../../../../build/zarr-peers');

// zarrita and its packages are ES modules with an "exports" map and no require() entry: import
// them by file URL, resolved through that map, since a bare import would be looked up beside this
// file rather than in PEERS_DIR.
async function importPackage(name, subpath = '.') {
  const dir = path.join(PEERS_DIR, 'node_modules', name);
  let pkg;
  try {
    pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch (e) {
    throw new Error(`${name} is not installed in ${PEERS_DIR} (run scripts/zarr-peers.sh): ${e.message}`);
  }
  const entry = pkg.exports?.[subpath];
  const file = typeof entry === 'string' ? entry : entry?.import ?? entry?.default;
  if (!file) throw new Error(`${name} has no export ${subpath}`);
  return import(pathToFileURL(path.join(dir, file)).href);
}

// CRC32C (Castagnoli), as the Zarr v3 crc32c codec specifies: reflected polynomial 0x82F63B78,
// initial value and final xor 0xFFFFFFFF, stored little-endian after the bytes.
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  return c >>> 0;
});
export function crc32c(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
if (crc32c(new TextEncoder().encode('123456789')) !== 0xe3069283) throw new Error('crc32c self-test failed');

/** crc32c that appends on encode and checks on decode (zarrita 0.7.5 only strips it, unchecked). */
class CheckedCrc32c {
  kind = 'bytes_to_bytes';
  static fromConfig() { return new CheckedCrc32c(); }
  encode(bytes) {
    const out = new Uint8Array(bytes.length + 4);
    out.set(bytes);
    new DataView(out.buffer).setUint32(bytes.length, crc32c(bytes), true);
    return out;
  }
  decode(bytes) {
    if (bytes.length < 4) throw new Error(`crc32c: ${bytes.length} bytes, fewer than the 4-byte checksum`);
    const body = bytes.subarray(0, bytes.length - 4);
    const stored = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(body.length, true);
    const actual = crc32c(body);
    if (stored !== actual) {
      throw new Error(`crc32c mismatch: stored ${stored.toString(16)}, computed ${actual.toString(16)}`);
    }
    return body;
  }
  computeEncodedSize(n) { return n + 4; }
}

const SHUFFLE = { noshuffle: 0, shuffle: 1, bitshuffle: 2 };

/**
 * zarrita, @zarrita/storage's FileSystemStore, and the registry completed for writing: zarrita
 * 0.7.5 cannot encode gzip or crc32c (its encoders throw "unimplemented"), so gzip encodes with
 * numcodecs.js's GZip (fflate) and decodes with zarrita's own; crc32c is CheckedCrc32c; blosc gets
 * the spec's shuffle names mapped to numcodecs.js's numbers (decoding reads the blosc header).
 */
export async function load() {
  const zarr = await importPackage('zarrita');
  const { default: FileSystemStore } = await importPackage('@zarrita/storage', './fs');
  const { default: GZip } = await importPackage('numcodecs', './gzip');
  const zarritaGzip = await zarr.registry.get('gzip')();
  const blosc = await zarr.registry.get('blosc')();
  zarr.registry.set('crc32c', () => CheckedCrc32c);
  zarr.registry.set('gzip', () => ({
    fromConfig(config, meta) {
      const decoder = zarritaGzip.fromConfig(config, meta);
      const encoder = GZip.fromConfig({ level: config?.level ?? 6 });
      return { kind: 'bytes_to_bytes', encode: (b) => encoder.encode(b), decode: (b) => decoder.decode(b) };
    },
  }));
  zarr.registry.set('blosc', () => ({
    fromConfig(config, meta) {
      const shuffle = typeof config.shuffle === 'string' ? SHUFFLE[config.shuffle] : config.shuffle;
      if (shuffle === undefined) throw new Error(`blosc: unknown shuffle ${JSON.stringify(config.shuffle)}`);
      return blosc.fromConfig({ ...config, shuffle }, meta);
    },
  }));
  return { zarr, FileSystemStore };
}

// ---- the value formula ----

const INT_BITS = { int8: 8, uint8: 8, int16: 16, uint16: 16, int32: 32, uint32: 32, int64: 64, uint64: 64 };
const TYPED = {
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array, int32: Int32Array,
  uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array, float32: Float32Array, float64: Float64Array,
};
const MULTIPLIER = 0x9e3779b97f4a7c15n;
const INCREMENT = 0x2545f4914f6cdd1dn;

export function typedArrayOf(dtype) {
  const t = TYPED[dtype];
  if (!t) throw new Error(`data type ${dtype} is not one the peer tests use`);
  return t;
}

/** The formula's value for C-order linear index lin (a Number), as the typed array of dtype stores it. */
export function formulaValue(dtype, lin) {
  const bits = INT_BITS[dtype];
  if (bits === undefined) return ((lin * 7919) % 65536) * 0.25 - 8192.0;
  const u = BigInt.asUintN(64, BigInt(lin) * MULTIPLIER + INCREMENT) >> BigInt(64 - bits);
  const v = dtype.startsWith('u') ? u : BigInt.asIntN(bits, u);
  return bits === 64 ? v : Number(v);
}

/** The fill value of zarr.json as the typed array stores it ("NaN" and the infinities included). */
export function fillOf(dtype, fill) {
  if (fill === null || fill === undefined) fill = 0;
  if (INT_BITS[dtype] === 64) return BigInt(fill);
  if (fill === 'NaN') return NaN;
  if (fill === 'Infinity') return Infinity;
  if (fill === '-Infinity') return -Infinity;
  return fill;
}

/**
 * The expected array in C order: voxel i holds formulaValue(C-order index of i*stride in
 * sourceShape), except in fillRegions ([start, end) boxes), which hold fill.
 */
export function expectedArray(dtype, shape, sourceShape, stride, fillRegions, fill) {
  const T = typedArrayOf(dtype);
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new T(n);
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let lin = 0;
    for (let d = 0; d < shape.length; d++) lin = lin * sourceShape[d] + idx[d] * stride[d];
    const inFill = fillRegions.some(([s, e]) => idx.every((x, d) => x >= s[d] && x < e[d]));
    out[i] = inFill ? fillOf(dtype, fill) : formulaValue(dtype, lin);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** A zarrita chunk ({data, shape, stride}) copied into a C-order typed array. */
export function toCOrder({ data, shape, stride }) {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new data.constructor(n);
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let d = 0; d < shape.length; d++) off += idx[d] * stride[d];
    out[i] = data[off];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** Hex SHA-256 of a C-order typed array's bytes, little-endian (this machine's order: x86, ARM). */
export function sha256(typed) {
  return createHash('sha256').update(new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength)).digest('hex');
}

/** A value as the manifest writes it: 64-bit integers as decimal strings, special floats as names. */
export function jsonValue(v) {
  if (typeof v === 'bigint') return v.toString();
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

/** The C-order linear index of a voxel index in shape. */
export function linearIndex(index, shape) {
  return index.reduce((acc, x, d) => acc * shape[d] + x, 0);
}

/** Same values, NaN equal to NaN. */
export function sameValues(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return false;
  }
  return true;
}

/**
 * Opens the array at relPath with zarrita. zarrita 0.7.5 always reads a shard's index from the
 * end of the shard (it ignores index_location): for index_location "start" the store is wrapped
 * so that those suffix reads read the same number of bytes from the start instead (index offsets
 * count from the shard's first byte either way).
 */
export async function openArray(zarr, store, relPath) {
  const raw = await store.get('/' + (relPath ? relPath + '/' : '') + 'zarr.json');
  if (!raw) throw new Error(`no zarr.json at ${relPath || 'the root'}`);
  const meta = JSON.parse(new TextDecoder().decode(raw));
  if (meta.node_type !== 'array') throw new Error(`${relPath || 'the root'} is a ${meta.node_type}, not an array`);
  const sharding = meta.codecs?.find((c) => c.name === 'sharding_indexed');
  let s = store;
  if (sharding && (sharding.configuration.index_location ?? 'end') === 'start') {
    s = {
      get: (key, opts) => store.get(key, opts),
      getRange: (key, range, opts) => ('suffixLength' in range
        ? store.getRange(key, { offset: 0, length: range.suffixLength }, opts)
        : store.getRange(key, range, opts)),
    };
  }
  return { meta, array: await zarr.open(zarr.root(s).resolve(relPath), { kind: 'array' }) };
}
