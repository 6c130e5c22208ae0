#!/usr/bin/env bash
# cmp.sh RUNS name1 'cmd1' name2 'cmd2' ... : interleaved; medians of wall and task-clock CPU (perf stat)
runs=$1; shift
names=(); cmds=()
while [ $# -gt 0 ]; do names+=("$1"); cmds+=("$2"); shift 2; done
out=$(mktemp -d)
for i in $(seq $runs); do
  for k in "${!names[@]}"; do
    s=$(date +%s%N)
    perf stat -x, -e task-clock -o $out/p bash -c "exec ${cmds[$k]}" >/dev/null 2>&1
    e=$(date +%s%N)
    c=$(grep task-clock $out/p | cut -d, -f1)
    echo "$(( (e-s)/1000 )) $c" >> $out/${names[$k]}
  done
done
med() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "runs=$runs load=$(cut -d' ' -f1-3 /proc/loadavg) (medians; wall from date, cpu = perf task-clock)"
bw=$(awk '{print $1/1e6}' $out/${names[0]} | med); bc=$(awk '{print $2/1e3}' $out/${names[0]} | med)
for n in "${names[@]}"; do
  w=$(awk '{print $1/1e6}' $out/$n | med); c=$(awk '{print $2/1e3}' $out/$n | med)
  awk -v n=$n -v w=$w -v c=$c -v bw=$bw -v bc=$bc 'BEGIN{printf "%-14s wall %.3f s (%.2fx)  cpu %.3f s (%.2fx)\n", n, w, w/bw, c, c/bc}'
done
rm -rf $out
