#!/usr/bin/env bash
# Builds the Neuroglancer viewer that 'bigarrays view' serves into build/neuroglancer (git-ignored;
# never committed), from npm only: 'npm ci' of scripts/neuroglancer-build (the npm package
# neuroglancer, Apache-2.0, and esbuild, every version pinned by its package-lock.json) in
# build/neuroglancer-build, then its build.mjs bundles the package into a static viewer. The
# package's one GitHub dependency (ikonate, icons) is replaced by a placeholder (see build.mjs).
# Does nothing when a build of the same inputs is there (build/neuroglancer/VERSION holds the
# version and a hash of scripts/neuroglancer-build). About 6 s (12 MB downloaded, 50 MB unpacked,
# removed after); the output (~5 MB) is byte-identical from run to run and checkout to checkout.
set -euo pipefail
VERSION=2.41.2   # keep in step with ViewCommand.NEUROGLANCER_VERSION and neuroglancer-build/package.json
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
SRC="$ROOT/scripts/neuroglancer-build"
DEST="${1:-$ROOT/build/neuroglancer}"
WORK="$ROOT/build/neuroglancer-build"
INPUTS=(package.json package-lock.json build.mjs index.html ikonate-placeholder/package.json)
STAMP="$VERSION $(cd "$SRC" && cat "${INPUTS[@]}" | sha256sum | cut -c1-16)"
if [ -f "$DEST/index.html" ] && [ "$(cat "$DEST/VERSION" 2>/dev/null)" = "$STAMP" ]; then exit 0; fi
command -v npm >/dev/null || { echo "neuroglancer.sh: npm is missing (Debian: apt-get install npm)" >&2; exit 1; }
grep -q "\"neuroglancer\": \"$VERSION\"" "$SRC/package.json" || { echo "neuroglancer.sh: $SRC/package.json does not pin neuroglancer $VERSION" >&2; exit 1; }
echo "neuroglancer.sh: building neuroglancer@$VERSION from npm into $DEST" >&2
rm -rf "$WORK" && mkdir -p "$WORK/ikonate-placeholder"
for f in "${INPUTS[@]}"; do cp "$SRC/$f" "$WORK/$f"; done
# --ignore-scripts: none is needed to bundle (esbuild's binary comes as an optional package;
# msgpackr's native addon is for Node only). Engine warnings (the package asks for Node 22)
# do not concern a bundle built for the browser.
(cd "$WORK" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
rm -rf "$DEST.tmp"
node "$WORK/build.mjs" "$DEST.tmp"
echo "$STAMP" > "$DEST.tmp/VERSION"
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
rm -rf "$WORK"   # 50 MB of packages, needed only to build
