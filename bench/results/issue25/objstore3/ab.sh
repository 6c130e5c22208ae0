#!/bin/bash
# Alternates ObjectStoreCutoutBench runs of several jars (base 88995ae first), ROUNDS times; each run prints its own
# bare-client-vs-BigArrays table (ratio = bare time / BigArrays time, same JVM, same run).
cd /work/wt-objstore3 && source scripts/env.sh >/dev/null 2>&1
REPS=${REPS:-5}; ROUNDS=${ROUNDS:-2}; CASES=${CASES:-}; SIDES=${SIDES:-"base new"}
for r in $(seq 1 $ROUNDS); do
  for side in $SIDES; do
    if [ $side = base ]; then JAR=/work/base/bench/target/benchmarks.jar; else JAR=/tmp/os3/$side.jar; fi
    echo "== round $r side $side $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
    java --enable-native-access=ALL-UNNAMED -Xmx3g -Dbench.s3proxy.jar=bench/target/s3proxy/s3proxy.jar \
      -cp $JAR org.bigarrays.bench.ObjectStoreCutoutBench --reps $REPS ${CASES:+--cases "$CASES"} 2>&1 | grep -E "^\||^Cutout"
  done
done
echo "== end $(date -u +%H:%M:%S) load $(cut -d' ' -f1-3 /proc/loadavg)"
