// Browser test of `bigarrays view`: real Neuroglancer (the build of scripts/neuroglancer.sh) in headless Chromium
// (Debian's, driven by playwright-core). For each kind of layer it writes a small volume whose four
// x-y quadrants hold known values, opens the viewer state `view` prints (one layer at a time), waits
// until the chunks are loaded and drawn, and checks the screenshot's pixels: each quadrant shows
// its value (image: grey level; segmentation: four different colours), the area beyond the volume
// is Neuroglancer's grey background. Fails on console errors, page errors, failed requests and HTTP errors for layer keys.
// The precomputed layers are written by BigArrays and served by `view`; the Zarr v3 / OME-Zarr
// layers are written by this test (zarr-layers.mjs) and served by its own file server, and their
// zarr3:// sources are added to the state `view` prints (same dimensions, position and zoom).
// Run by scripts/browser-test.sh (which installs Chromium and playwright-core); env:
//   BA_ROOT (the checkout), BA_NODE_DIR (folder with node_modules/playwright-core),
//   BA_BROWSER_OUT (screenshots and data), BA_CHROMIUM (default /usr/bin/chromium).
import { createRequire } from 'node:module';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { writeZarrLayer, serveFiles } from './zarr-layers.mjs';

const ROOT = process.env.BA_ROOT;
const HERE = path.dirname(new URL(import.meta.url).pathname);
const OUT = process.env.BA_BROWSER_OUT;
const require = createRequire(path.join(process.env.BA_NODE_DIR, 'package.json'));
const { chromium } = require('playwright-core');

const N = [128, 128, 4];        // volume size; chunks are 64 x 64 x 4, so four chunks per layer
const CHUNK = '64,64,4';
const RESOLUTION = [8, 8, 40];  // nm, as BrowserTestLayers.java writes
const VIEWPORT = { width: 1200, height: 900 };
const LAYER_TIMEOUT_MS = 45000;

// name, data type, encoding, sharding (preshift,minishard,shard bits), compression, quadrant values [x-low y-low, x-high y-low, x-low y-high, x-high y-high]
const LAYERS = [
  { name: 'raw', dtype: 'uint8', encoding: 'raw', q: [40, 100, 160, 220] },
  { name: 'jpeg', dtype: 'uint8', encoding: 'jpeg', q: [220, 40, 100, 160], tolerance: 12 },
  { name: 'cseg', dtype: 'uint32', encoding: 'compressed_segmentation', q: [1, 2, 3, 4] },
  { name: 'cpso', dtype: 'uint32', encoding: 'compresso', q: [5, 6, 7, 8] },
  { name: 'sharded', dtype: 'uint8', encoding: 'raw', sharding: '0,1,1', q: [160, 220, 40, 100] },
  { name: 'gz', dtype: 'uint8', encoding: 'raw', compress: 'gzip', q: [100, 160, 220, 40], gzSuffix: true },
  { name: 'jxl', dtype: 'uint8', encoding: 'jxl', q: [40, 160, 100, 220] },
  { name: 'zarr3-raw', dtype: 'uint8', zarr: {}, q: [220, 160, 100, 40] },
  { name: 'zarr3-gzip', dtype: 'uint8', zarr: { gzip: true }, q: [40, 220, 160, 100] },
  { name: 'zarr3-seg-sharded', dtype: 'uint32', zarr: { gzip: true, sharded: true }, q: [9, 10, 11, 12] },
  { name: 'zarr3-seg', dtype: 'uint32', zarr: {}, q: [13, 14, 15, 16] },
  { name: 'zarr3-sharded-start', dtype: 'uint8', zarr: { sharded: true, indexAtStart: true }, q: [160, 100, 40, 220] },
  { name: 'ome-zarr', dtype: 'uint8', zarr: { ome: true, sharded: true }, q: [100, 40, 220, 160] },
  // Zarr layers written by BigArrays itself and served by `view` (zarr3:// sources in its state).
  { name: 'ba-zarr3', dtype: 'uint8', encoding: 'raw', format: 'zarr3', compress: 'gzip', q: [220, 100, 160, 40] },
  { name: 'ba-zarr3-seg-sharded', dtype: 'uint32', encoding: 'raw', format: 'zarr3', sharding: '0,1,1', compress: 'zstd', q: [17, 18, 19, 20] },
  { name: 'ba-ome-zarr', dtype: 'uint8', encoding: 'raw', format: 'ome-zarr', compress: 'zstd', q: [40, 160, 220, 100] },
  { name: 'ba-ome-zarr-seg', dtype: 'uint64', encoding: 'raw', format: 'ome-zarr', sharding: '0,1,1', compress: 'gzip', q: [21, 22, 23, 24] },
];
const PRECOMPUTED = LAYERS.filter(l => !l.zarr);

function log(msg) { process.stdout.write(`browser-test: ${msg}\n`); }

/** Every file under dir. */
function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]);
}

function makeLayers(dataDir) {
  // One JVM for all layers (the source launcher runs BrowserTestLayers.java against the CLI jar).
  for (const l of LAYERS.filter(l => l.zarr)) writeZarrLayer(dataDir, l, N, CHUNK.split(',').map(Number), RESOLUTION);
  const specs = PRECOMPUTED.map(l => [l.name, l.dtype, l.dtype === 'uint8' ? 'image' : 'segmentation', l.encoding,
    l.sharding || '-', l.compress || 'none', l.q.join(','), l.format || 'precomputed'].join(':'));
  execFileSync(path.join(process.env.JAVA_HOME, 'bin', 'java'), ['--enable-native-access=ALL-UNNAMED',
    '-cp', path.join(ROOT, 'java/cli/target/bigarrays-cli.jar'), path.join(HERE, 'BrowserTestLayers.java'),
    dataDir, N.join(','), CHUNK, ...specs], { stdio: ['ignore', 'inherit', 'inherit'] });
  for (const l of PRECOMPUTED.filter(l => l.gzSuffix)) {
    // CloudVolume's local layout, which BigArrays writes too: gzip chunks stored as <key>.gz
    // (served under <key> with Content-Encoding: gzip).
    const dir = path.join(dataDir, l.name);
    const chunks = files(dir).filter(f => path.dirname(f) !== dir && !path.basename(f).startsWith('.'));
    for (const f of chunks) {
      const head = fs.readFileSync(f).subarray(0, 2);
      if (head[0] !== 0x1f || head[1] !== 0x8b) throw new Error(`${f}: expected a gzip chunk`);
      if (!f.endsWith('.gz')) throw new Error(`${f}: expected a gzip chunk named <key>.gz`);
    }
    if (chunks.length !== 4) throw new Error(`${dir}: expected 4 chunk files, found ${chunks.length}`);
  }
}

/** Decode an 8-bit RGB(A), non-interlaced PNG (what Chromium's screenshots are) to {w, h, px(x, y)}. */
function decodePng(buf) {
  let off = 8, w = 0, h = 0, channels = 0;
  const idat = [];
  while (off < buf.length) {
    const len = buf.readUInt32BE(off), type = buf.toString('latin1', off + 4, off + 8), body = buf.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      w = body.readUInt32BE(0); h = body.readUInt32BE(4);
      if (body[8] !== 8 || body[12] !== 0 || (body[9] !== 2 && body[9] !== 6)) throw new Error('unexpected PNG format');
      channels = body[9] === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(body);
    off += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = w * channels, img = Buffer.alloc(h * stride);
  for (let y = 0; y < h; y++) {
    const f = raw[y * (stride + 1)], src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? img[y * stride + i - channels] : 0, b = y > 0 ? img[(y - 1) * stride + i] : 0;
      const c = i >= channels && y > 0 ? img[(y - 1) * stride + i - channels] : 0;
      let p = a;
      if (f === 4) { const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c); p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c; }
      img[y * stride + i] = (src[i] + [0, a, b, (a + b) >> 1, p][f]) & 255;
    }
  }
  return { w, h, px: (x, y) => { const o = y * stride + x * channels; return [img[o], img[o + 1], img[o + 2]]; } };
}

/** The mean colour of the 7 x 7 pixels around (x, y). */
function mean(png, x, y) {
  const s = [0, 0, 0];
  for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) png.px(x + dx, y + dy).forEach((v, i) => { s[i] += v; });
  return s.map(v => Math.round(v / 49));
}

/** Problems with the drawn pattern (empty: it is right). */
function checkPattern(png, panel, scale, layer) {
  const cx = Math.round(panel.x + panel.width / 2), cy = Math.round(panel.y + panel.height / 2);
  const quarter = Math.round(N[0] / 4 / scale); // screen pixels from the centre to a quadrant's centre
  const at = [[-1, -1], [1, -1], [-1, 1], [1, 1]].map(([sx, sy]) => mean(png, cx + sx * quarter, cy + sy * quarter));
  const outside = mean(png, cx + Math.round((N[0] / 2 + 10) / scale), cy + quarter);
  const problems = [];
  // Neuroglancer paints the cross-section beyond the data grey (#808080): no data drawn there.
  if (outside.some(v => Math.abs(v - 128) > 6)) problems.push(`beyond the volume: expected the grey background, found rgb(${outside})`);
  if (layer.dtype === 'uint8') {
    at.forEach((c, i) => {
      const tol = layer.tolerance || 3;
      if (c.some(v => Math.abs(v - layer.q[i]) > tol)) problems.push(`quadrant ${i}: expected grey ${layer.q[i]}, found rgb(${c})`);
    });
  } else {
    at.forEach((c, i) => { if (Math.max(...c) < 30) problems.push(`quadrant ${i}: segment ${layer.q[i]} not drawn (rgb(${c}))`); });
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) {
      if (at[i].reduce((s, v, k) => s + Math.abs(v - at[j][k]), 0) < 30) problems.push(`segments ${layer.q[i]} and ${layer.q[j]} drawn alike: rgb(${at[i]}) rgb(${at[j]})`);
    }
  }
  return problems;
}

/** Start `bigarrays view` on all layers; resolves to { proc, url } once it prints the viewer URL. */
function startView(dataDir) {
  const args = ['view', '--port', '0', '--layout', 'xy', ...PRECOMPUTED.map(l => `${l.name}=${path.join(dataDir, l.name)}`)];
  const proc = spawn(path.join(ROOT, 'bigarrays'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', d => { err += d; });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', d => {
      out += d;
      const m = out.match(/^Neuroglancer \S+: (\S+)$/m);
      if (m) resolve({ proc, url: m[1] });
    });
    proc.on('exit', code => reject(new Error(`bigarrays view exited ${code}: ${err.trim()}`)));
    setTimeout(() => reject(new Error(`bigarrays view printed no URL in 60 s: ${out}${err}`)), 60000);
  });
}

async function main() {
  const t0 = Date.now();
  fs.rmSync(OUT, { recursive: true, force: true });
  const dataDir = path.join(OUT, 'data');
  fs.mkdirSync(dataDir, { recursive: true });
  makeLayers(dataDir);
  log(`wrote ${LAYERS.length} layers in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const { proc, url } = await startView(dataDir);
  const hash = url.indexOf('#!');
  const viewer = url.substring(0, hash);
  const state = JSON.parse(decodeURIComponent(url.substring(hash + 2)));
  const server = new URL(viewer).origin;
  const zarrServer = await serveFiles(dataDir);
  const zarrOrigin = `http://127.0.0.1:${zarrServer.address().port}`;
  for (const l of LAYERS.filter(l => l.zarr)) {
    state.layers.push({ type: l.dtype === 'uint8' ? 'image' : 'segmentation', source: `zarr3://${zarrOrigin}/${l.name}/`, name: l.name });
  }
  const browser = await chromium.launch({
    executablePath: process.env.BA_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // playwright gives the browser a fresh temporary profile (--user-data-dir) itself.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
  const failures = [];
  try {
    for (const layer of LAYERS) {
      const t = Date.now();
      const one = { ...state, layers: state.layers.filter(l => l.name === layer.name) };
      if (one.layers.length !== 1) throw new Error(`the printed state has no layer '${layer.name}'`);
      const expectType = layer.dtype === 'uint8' ? 'image' : 'segmentation';
      if (one.layers[0].type !== expectType) failures.push(`${layer.name}: state says type ${one.layers[0].type}, expected ${expectType}`);
      const page = await browser.newPage({ viewport: VIEWPORT });
      const errors = [];
      const pending = new Set();
      let chunks = 0;
      const isLayerUrl = u => u.startsWith(`${layer.zarr ? zarrOrigin : server}/${layer.name}/`);
      const isMetadata = u => /\/(info|zarr\.json)$/.test(u);
      page.on('console', m => {
        if (m.type() !== 'error') return;
        const where = m.location()?.url || '';
        errors.push(`console error: ${m.text()} (${where})`);
      });
      page.on('pageerror', e => errors.push(`page error: ${e.message}`));
      page.on('request', r => { if (isLayerUrl(r.url())) pending.add(r); });
      let cancelled = 0;
      page.on('requestfailed', async r => {
        // Neuroglancer aborts reads it no longer needs; one aborted after its response had
        // arrived (seen for the suffix read of a Zarr shard index, index_location "end") is the
        // viewer's doing, not a failure of the server. Any other failed request is.
        const failure = r.failure()?.errorText;
        const response = failure === 'net::ERR_ABORTED' ? await r.response().catch(() => null) : null;
        if (response && response.status() < 400) cancelled++;
        else errors.push(`request failed: ${r.url()} (${failure})`);
        pending.delete(r);
      });
      page.on('requestfinished', r => pending.delete(r));
      page.on('response', r => {
        const u = r.url();
        if (!u.startsWith(server) && !u.startsWith(zarrOrigin)) return; // the favicon too: the server has one, so no 404 per page load
        if (r.status() >= 400) errors.push(`HTTP ${r.status()} for ${u}`);
        else if (isLayerUrl(u) && !isMetadata(u)) chunks++;
      });
      await page.goto(`${viewer}#!${encodeURIComponent(JSON.stringify(one))}`);
      let problems = ['never drawn'];
      let png;
      while (Date.now() - t < LAYER_TIMEOUT_MS) {
        await page.waitForTimeout(500);
        if (chunks === 0 || pending.size > 0) continue;
        const panel = await page.evaluate(() => {
          const r = document.querySelector('.neuroglancer-rendered-data-panel')?.getBoundingClientRect();
          return r ? { x: r.x, y: r.y, width: r.width, height: r.height } : null;
        });
        if (!panel) continue;
        const shot = await page.screenshot();
        png = decodePng(shot);
        problems = checkPattern(png, panel, state.crossSectionScale, layer);
        if (problems.length === 0) {
          fs.writeFileSync(path.join(OUT, `${layer.name}.png`), shot);
          break;
        }
        fs.writeFileSync(path.join(OUT, `${layer.name}-last.png`), shot);
      }
      await page.waitForTimeout(300); // let late console errors arrive
      await page.close();
      const secs = ((Date.now() - t) / 1000).toFixed(1);
      const all = [...problems, ...errors];
      if (all.length) {
        failures.push(`${layer.name}: ${all.join('; ')}`);
        log(`FAIL ${layer.name} (${chunks} chunk responses, ${secs} s): ${all.join('; ')}`);
      } else {
        const note = cancelled ? `, ${cancelled} read${cancelled > 1 ? 's' : ''} cancelled by the viewer after the response` : '';
        log(`ok ${layer.name}: pattern drawn from ${chunks} chunk responses${note} in ${secs} s (${path.join(OUT, layer.name + '.png')})`);
      }
    }
  } finally {
    await browser.close();
    proc.kill('SIGTERM');
    zarrServer.close();
  }
  const total = ((Date.now() - t0) / 1000).toFixed(1);
  if (failures.length) {
    log(`FAILED: ${failures.length} of ${LAYERS.length} layers (${total} s)`);
    process.exit(1);
  }
  log(`PASSED: ${LAYERS.length} layers drawn by Neuroglancer in headless Chromium (${total} s)`);
}

main().catch(e => { log(`FAILED: ${e.stack || e}`); process.exit(1); });
