#!/bin/bash
# Per case: base jar (main 9e26e17), this branch's jar without and with --child-jvm-flags -Xmx1g, one after the other.
cd /work/wt-uninit && source scripts/env.sh >/dev/null 2>&1
B=/work/base/bench/target/benchmarks.jar; N=$PWD/bench/target/benchmarks.jar; O=/tmp/uninit-m/sbs
mkdir -p $O
for round in 1 2; do
for cs in 'uint8 512³ c64 raw t1' 'uint8 512³ c128 raw t1' 'uint64 256³ c64 raw t1' 'uint64 256³ c128 raw t1' 'uint64 256³ c128 gzip t1'; do
  echo "== round $round case $cs load $(cut -d' ' -f1-3 /proc/loadavg)"
  common=(--cases "^$cs\$" --systems bigarrays,bigarrays-simple --reps 3 --write-reps 1 --warmup-s 1 --no-fsync)
  java --enable-native-access=ALL-UNNAMED -cp $B org.bigarrays.bench.harness.SideBySide "${common[@]}" --out $O/base 2>&1 | grep "^| $cs" | sed 's/^/base      /'
  java --enable-native-access=ALL-UNNAMED -cp $N org.bigarrays.bench.harness.SideBySide "${common[@]}" --out $O/new 2>&1 | grep "^| $cs" | sed 's/^/new       /'
  java --enable-native-access=ALL-UNNAMED -cp $N org.bigarrays.bench.harness.SideBySide "${common[@]}" --child-jvm-flags -Xmx1g --out $O/xmx 2>&1 | grep "^| $cs" | sed 's/^/new-Xmx1g /'
done; done
echo "load end $(cut -d' ' -f1-3 /proc/loadavg)"
