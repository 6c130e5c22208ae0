#!/bin/bash
# Per case: this branch's jar with no child flags, then with --child-jvm-flags -Xmx512m.
cd /work/wt-uninit && source scripts/env.sh >/dev/null 2>&1
N=$PWD/bench/target/benchmarks.jar; O=/tmp/uninit-m/sbs2; mkdir -p $O
for cs in 'uint8 512³ c64 raw t1' 'uint8 512³ c128 raw t1' 'uint64 256³ c64 raw t1' 'uint64 256³ c128 raw t1' 'uint64 256³ c128 gzip t1'; do
  echo "== case $cs load $(cut -d' ' -f1-3 /proc/loadavg)"
  common=(--cases "^$cs\$" --systems bigarrays,bigarrays-simple --reps 3 --write-reps 1 --warmup-s 1 --no-fsync)
  java --enable-native-access=ALL-UNNAMED -cp $N org.bigarrays.bench.harness.SideBySide "${common[@]}" --out $O/new 2>&1 | grep "^| $cs" | sed 's/^/new          /'
  java --enable-native-access=ALL-UNNAMED -cp $N org.bigarrays.bench.harness.SideBySide "${common[@]}" --child-jvm-flags -Xmx512m --out $O/xmx 2>&1 | grep "^| $cs" | sed 's/^/new-Xmx512m  /'
done
echo "load end $(cut -d' ' -f1-3 /proc/loadavg)"
