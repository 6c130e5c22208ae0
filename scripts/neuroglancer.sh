#!/usr/bin/env bash
# Fetches the prebuilt Neuroglancer viewer that 'bigarrays view' serves into build/neuroglancer
# (git-ignored; never committed): @janelia-flyem/neuroglancer (Apache-2.0) from the npm registry,
# its package/dist/min folder. 'npm pack' + tar, not 'npm install': the package's dependencies
# name GitHub repositories. Does nothing when that version is already there.
set -euo pipefail
VERSION=2.37.5   # keep in step with ViewCommand.NEUROGLANCER_VERSION
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
DEST="${1:-$ROOT/build/neuroglancer}"
if [ -f "$DEST/index.html" ] && [ "$(cat "$DEST/VERSION" 2>/dev/null)" = "$VERSION" ]; then exit 0; fi
command -v npm >/dev/null || { echo "neuroglancer.sh: npm is missing (Debian: apt-get install npm)" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
echo "neuroglancer.sh: fetching @janelia-flyem/neuroglancer@$VERSION from npm into $DEST" >&2
(cd "$TMP" && npm pack --silent "@janelia-flyem/neuroglancer@$VERSION" >/dev/null)
tar -xzf "$TMP"/janelia-flyem-neuroglancer-"$VERSION".tgz -C "$TMP" package/dist/min package/LICENSE
[ -f "$TMP/package/dist/min/index.html" ] || { echo "neuroglancer.sh: the package has no dist/min/index.html" >&2; exit 1; }
cp "$TMP/package/LICENSE" "$TMP/package/dist/min/LICENSE"
echo "$VERSION" > "$TMP/package/dist/min/VERSION"
rm -rf "$DEST.tmp" && mkdir -p "$(dirname "$DEST")"
mv "$TMP/package/dist/min" "$DEST.tmp"
rm -rf "$DEST" && mv "$DEST.tmp" "$DEST"
