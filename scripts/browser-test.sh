#!/usr/bin/env bash
# The browser test stage of ./test: real Neuroglancer (scripts/neuroglancer.sh) in headless Debian
# Chromium driven by npm playwright-core (driver only: it never downloads a browser), against
# 'bigarrays view' on 127.0.0.1. Installs what is missing: Debian chromium (and nodejs/npm),
# playwright-core into build/browser-test. Screenshots go to build/browser-test/out.
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/env.sh"
PLAYWRIGHT_VERSION=1.65.1
missing=""
command -v chromium >/dev/null || missing="$missing chromium"
command -v node >/dev/null || missing="$missing nodejs"
command -v npm >/dev/null || missing="$missing npm"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "browser-test: installing Debian packages:$missing" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2
  else
    echo "browser-test: missing$missing and not root: cannot install them" >&2
    exit 1
  fi
fi
"$BA_ROOT/scripts/neuroglancer.sh"
"$BA_ROOT/bigarrays" version >/dev/null   # builds the CLI jar if it is missing or stale
NODE_DIR="$BA_ROOT/build/browser-test"
if [ "$(cat "$NODE_DIR/node_modules/playwright-core/package.json" 2>/dev/null | sed -n 's/^ *"version": "\(.*\)",$/\1/p')" != "$PLAYWRIGHT_VERSION" ]; then
  mkdir -p "$NODE_DIR"
  [ -f "$NODE_DIR/package.json" ] || echo '{"private": true}' > "$NODE_DIR/package.json"
  echo "browser-test: installing playwright-core@$PLAYWRIGHT_VERSION into $NODE_DIR" >&2
  (cd "$NODE_DIR" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --silent --no-audit --no-fund "playwright-core@$PLAYWRIGHT_VERSION" >&2)
fi
export BA_ROOT BA_NODE_DIR="$NODE_DIR" BA_BROWSER_OUT="${BA_BROWSER_OUT:-$NODE_DIR/out}"
exec timeout 300 env JAVA_HOME="$JAVA_HOME" node "$BA_ROOT/java/cli/src/test/browser/view-test.mjs"
