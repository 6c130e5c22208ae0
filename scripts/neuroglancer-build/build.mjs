// Bundles the npm package neuroglancer (installed by scripts/neuroglancer.sh with `npm ci` from
// the committed package-lock.json) into a static viewer: node build.mjs OUTDIR.
// The package ships unbundled ES modules and expects an app bundler that understands three
// things esbuild does not do by itself, handled by the plugin below:
//  - `ikonate/icons/*.svg?raw` imports: ikonate is a GitHub-only package (unreachable here), so
//    every icon becomes one placeholder SVG (icons are cosmetic);
//  - `new URL("./chunk_worker.bundle.js", import.meta.url)` (and the async computation worker):
//    those two files are built as entries of their own and the URL is pointed at the output;
//  - `new URL("./x.wasm", import.meta.url)` (decoders: jxl, png, compresso, draco) and the
//    auth redirect pages: copied next to the bundles and the URL pointed at the copy.
// All outputs sit in OUTDIR itself, so `./name` relative to any bundle or chunk finds them.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const OUT = path.resolve(process.argv[2] || 'dist');
const HERE = path.dirname(new URL(import.meta.url).pathname);
const LIB = path.join(HERE, 'node_modules/neuroglancer/lib');

const WORKERS = { 'chunk_worker.bundle.js': 'chunk_worker.bundle', 'async_computation.bundle.js': 'async_computation.bundle' };
const PLACEHOLDER_ICON = '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" '
  + 'fill="none" stroke="currentColor" stroke-width="2"><circle cx="12" cy="12" r="7"/></svg>';

/** Basename of each copied asset -> its source, to refuse two different files under one name. */
const assets = new Map();

const neuroglancerPlugin = {
  name: 'neuroglancer-package',
  setup(build) {
    build.onResolve({ filter: /^ikonate\// }, args => ({ path: args.path, namespace: 'ikonate-placeholder' }));
    build.onLoad({ filter: /.*/, namespace: 'ikonate-placeholder' }, () => ({ contents: PLACEHOLDER_ICON, loader: 'text' }));
    build.onLoad({ filter: /[\\/]node_modules[\\/]neuroglancer[\\/]lib[\\/].*\.js$/ }, async args => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const contents = source.replace(/new URL\(\s*(?:\/\*[^*]*\*\/\s*)?"(\.{1,2}\/[^"]+)"\s*,\s*import\.meta\.url\s*\)/g, (whole, rel) => {
        const target = path.resolve(path.dirname(args.path), rel);
        const name = path.basename(target);
        if (WORKERS[name]) {
          if (path.dirname(target) !== LIB) throw new Error(`${args.path}: unexpected worker path ${rel}`);
          return `new URL("./${name}", import.meta.url)`;
        }
        if (!fs.existsSync(target)) throw new Error(`${args.path}: ${rel} does not exist in the package`);
        const prev = assets.get(name);
        if (prev && prev !== target) throw new Error(`two assets named ${name}: ${prev} and ${target}`);
        assets.set(name, target);
        return `new URL("./${name}", import.meta.url)`;
      });
      return { contents, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

fs.rmSync(OUT, { recursive: true, force: true });
const result = await esbuild.build({
  entryPoints: {
    'main.bundle': path.join(LIB, 'main.bundle.js'),
    [WORKERS['chunk_worker.bundle.js']]: path.join(LIB, 'chunk_worker.bundle.js'),
    [WORKERS['async_computation.bundle.js']]: path.join(LIB, 'async_computation.bundle.js'),
  },
  bundle: true,
  splitting: true,          // the workers share most modules with the main bundle
  format: 'esm',            // the package starts its workers with { type: "module" }
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'linked',  // keep the third-party licence comments, in *.LEGAL.txt
  chunkNames: 'chunk-[hash]',
  outdir: OUT,
  absWorkingDir: HERE,      // paths in the output (and chunk hashes) do not depend on the caller's folder
  logLevel: 'warning',
  metafile: true,
  plugins: [neuroglancerPlugin],
});
for (const [name, src] of assets) fs.copyFileSync(src, path.join(OUT, name));
fs.copyFileSync(path.join(HERE, 'index.html'), path.join(OUT, 'index.html'));
fs.copyFileSync(path.join(HERE, 'node_modules/neuroglancer/LICENSE'), path.join(OUT, 'LICENSE'));
const missing = ['main.bundle.js', 'main.bundle.css', ...Object.keys(WORKERS)].filter(f => !fs.existsSync(path.join(OUT, f)));
if (missing.length) throw new Error(`the build wrote no ${missing.join(', ')}`);
if (result.warnings.length) console.error(`build.mjs: ${result.warnings.length} esbuild warnings`);
