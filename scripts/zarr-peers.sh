#!/usr/bin/env bash
# Installs the independent Zarr implementations the interop tests run against (the programs in
# java/core/src/test/zarr-peers, driven by the tests' ZarrPeers):
#   - Zarr v2: Debian's python3-zarr (2.13.6 on bookworm) for /usr/bin/python3, with apt-get when
#     root (--no-install-recommends; 'apt-get update' only when the package is not found);
#   - Zarr v3: npm zarrita with @zarrita/storage and numcodecs (the exact versions of
#     java/core/src/test/zarr-peers/package-lock.json, 'npm ci' from the npm registry) into
#     build/zarr-peers/node_modules (git-ignored; never committed), or $BIGARRAYS_ZARR_PEERS.
# Quiet and quick when both are there. Exit 1, saying what is missing, when they cannot be had.
# --check: install nothing, only say whether they are there.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
SRC="$ROOT/java/core/src/test/zarr-peers"
DEST="${BIGARRAYS_ZARR_PEERS:-$ROOT/build/zarr-peers}"
CHECK_ONLY=0
case "${1:-}" in
  --check) CHECK_ONLY=1 ;;
  "") ;;
  *) echo "zarr-peers.sh: unknown argument $1 (usage: zarr-peers.sh [--check])" >&2; exit 2 ;;
esac

python_ok() { dpkg -s python3-zarr >/dev/null 2>&1 && [ -x /usr/bin/python3 ]; }
node_ok() {
  command -v node >/dev/null && cmp -s "$SRC/package-lock.json" "$DEST/package-lock.json" \
    && [ -f "$DEST/node_modules/zarrita/package.json" ]
}
python_ok && node_ok && exit 0
if [ "$CHECK_ONLY" = 1 ]; then
  python_ok || echo "zarr-peers.sh: python3-zarr is not installed (run scripts/zarr-peers.sh as root)" >&2
  node_ok || echo "zarr-peers.sh: zarrita is not installed in $DEST (run scripts/zarr-peers.sh)" >&2
  exit 1
fi

# Debian packages, installed only where missing; the package lists are refreshed only when apt
# cannot find a package in the lists it has.
apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    echo "zarr-peers.sh: missing Debian packages: $* (not root: cannot install them)" >&2
    return 1
  fi
  echo "zarr-peers.sh: installing Debian packages: $*" >&2
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -y -qq --no-install-recommends)
  if ! "${apt[@]}" install "$@" >/dev/null 2>&1; then
    apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 && "${apt[@]}" install "$@" >&2 \
      || { echo "zarr-peers.sh: could not install $*" >&2; return 1; }
  fi
}
missing=""
python_ok || missing="$missing python3-zarr"
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"
# shellcheck disable=SC2086  # one word per package
[ -z "$missing" ] || apt_install $missing

if ! node_ok; then
  mkdir -p "$(dirname "$DEST")"
  # One installer at a time (Maven test forks and ./test may start together): a lock on the
  # folder that will hold DEST, which leaves no lock file behind.
  exec 9<"$(dirname "$DEST")"
  flock -w 300 9 || { echo "zarr-peers.sh: another install holds $(dirname "$DEST") for over 300 s" >&2; exit 1; }
  if ! node_ok; then
    TMP="$DEST.tmp.$$"
    trap 'rm -rf "$TMP"' EXIT
    rm -rf "$TMP" && mkdir -p "$TMP"
    cp "$SRC/package.json" "$SRC/package-lock.json" "$TMP/"
    echo "zarr-peers.sh: installing zarrita (npm ci, $SRC/package-lock.json) into $DEST" >&2
    # --ignore-scripts: none of these packages needs an install script, and none may run one.
    (cd "$TMP" && npm ci --silent --no-audit --no-fund --ignore-scripts >&2) \
      || { echo "zarr-peers.sh: npm ci of zarrita failed (is the npm registry reachable?)" >&2; exit 1; }
    # The lock file's copy is what node_ok compares: the source's own bytes, whatever npm did to it.
    cp "$SRC/package-lock.json" "$TMP/package-lock.json"
    rm -rf "$DEST" && mv "$TMP" "$DEST"
  fi
fi
python_ok && node_ok || { echo "zarr-peers.sh: the Zarr peers are still missing after installing" >&2; exit 1; }
