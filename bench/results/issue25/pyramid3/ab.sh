#!/bin/bash
# Alternating JVMs, PyramidBuildBench: ab.sh OUT REPS ROUNDS JARDIR name... (JARDIR/name.jar: benchmarks.jar builds)
source "$(dirname "$0")/../../../../scripts/env.sh"
out=$1; shift; reps=$1; shift; rounds=$1; shift; dir=$1; shift
for r in $(seq 1 $rounds); do
  for c in seg image; do
    for j in "$@"; do
      echo "== round $r case $c jar $j $(uptime)" >> $out
      $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -Xmx5g -cp $dir/$j.jar org.bigarrays.bench.PyramidBuildBench $c $reps 2>&1 | grep -v '^\[' | grep -i 'rep \|RESULT' >> $out
    done
  done
done
echo "== done $(uptime)" >> $out
