#!/bin/bash
# Alternating JVMs: base vs new, PyramidBuildBench, rounds x cases
source /work/wt-pyramid2/scripts/env.sh
out=$1; shift; reps=$1; shift; rounds=$1; shift
for r in $(seq 1 $rounds); do
  for c in seg image; do
    for j in "$@"; do
      echo "== round $r case $c jar $j $(uptime)" >> $out
      $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED -Xmx5g -cp /tmp/pyr2/$j.jar org.bigarrays.bench.PyramidBuildBench $c $reps 2>&1 | grep -v '^\[' | grep -i 'rep \|RESULT' >> $out
    done
  done
done
echo "== done $(uptime)" >> $out
