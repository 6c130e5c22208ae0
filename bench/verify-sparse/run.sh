#!/usr/bin/env bash
# Figures for README's "verify" and "Sparse layers" sections (not a test):
#  1. verify on a ~1 GiB layer (1024³ uint8, 64³ chunks; gzip and raw) against the read side of
#     the same layer (a cutout of every voxel to /dev/null) and a transcode, in the same run;
#  2. downsample and transcode of a 2048x2048x1024 uint8 layer (64³ chunks) with 1% of its chunks
#     stored, with this checkout (NEW) and with OLD=<another checkout's ./bigarrays> (before).
# Usage: bench/verify-sparse/run.sh WORKDIR [OLD_BIGARRAYS]     (needs ~4 GB free in WORKDIR)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
NEW="$here/../../bigarrays"
W=${1:?usage: run.sh WORKDIR [OLD_BIGARRAYS]}
OLD=${2:-}
mkdir -p "$W" && cd "$W"
source "$here/../../scripts/env.sh"
"$NEW" --version >/dev/null 2>&1 # builds the jar once
t() { /usr/bin/time -f "$1 %e s" "${@:2}"; }

echo "## verify vs reading every chunk ($(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
[ -f vol.raw ] || python3 - <<'PY'
import numpy as np
N = 1024
rng = np.random.default_rng(1)
x = np.arange(N, dtype=np.int32)
yy, xx = np.meshgrid(x, x, indexing='ij')
with open('vol.raw', 'wb') as f:  # x fastest: z slabs of [y][x]
    for z in range(N):
        f.write((((xx // 3 + yy // 5 + z // 7) % 200).astype(np.uint8) + rng.integers(0, 16, size=(N, N), dtype=np.uint8)).tobytes())
PY
for c in gzip none; do
  if [ ! -d "L-$c" ]; then
    "$NEW" create "L-$c" --dtype uint8 --size 1024,1024,1024 --chunk 64,64,64 >/dev/null
    "$NEW" write "L-$c" vol.raw --shape 1024,1024,1024 --at 0,0,0 --compress "$c" 2>/dev/null
  fi
  for rep in 1 2 3; do
    t "L-$c verify" "$NEW" verify "L-$c" | tail -1
    t "L-$c cutout-all" "$NEW" cutout "L-$c" --box 0,0,0:1024,1024,1024 -o - >/dev/null
  done
  rm -rf "T-$c"; t "L-$c transcode" "$NEW" transcode "L-$c" "T-$c" --compress "$c"; rm -rf "T-$c"
done 2>&1

echo "## 1% of chunks stored: downsample and transcode, before (OLD) and after (NEW)"
[ -d S ] || java --enable-native-access=ALL-UNNAMED -cp "$here/../../java/cli/target/bigarrays-cli.jar" "$here/Sparse.java" "file://$PWD/S" 1
for rep in 1 2 3; do
  for v in OLD NEW; do
    B=${!v}; [ -n "$B" ] || continue
    rm -rf "D-$v" "T-$v"; cp -r S "D-$v"
    t "$v downsample" "$B" downsample "D-$v" 2>&1 | tail -2
    t "$v transcode" "$B" transcode S "T-$v" 2>&1 | tail -2
    echo "$v files after downsample: $(find "D-$v" -type f ! -name '.*' | wc -l), after transcode: $(find "T-$v" -type f ! -name '.*' | wc -l)"
  done
done
