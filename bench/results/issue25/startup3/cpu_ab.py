#!/usr/bin/env python3
# cpu_ab.py ROUNDS name=cmd ... : interleaved runs of each command, median wall and CPU (user+sys of the child, wait4 rusage), ratios to the first
import os, sys, time, shlex, statistics, subprocess
rounds = int(sys.argv[1]); cases = []
for a in sys.argv[2:]:
    n, c = a.split('=', 1); cases.append((n, c))
res = {n: [] for n, _ in cases}
dn = os.open(os.devnull, os.O_RDWR)
for r in range(rounds):
    for n, c in cases:
        t = time.perf_counter()
        p = subprocess.Popen(["bash", "-c", c], stdout=dn, stderr=dn)
        _, st, ru = os.wait4(p.pid, 0)
        w = time.perf_counter() - t
        if st != 0: print("FAILED", n, st, file=sys.stderr)
        res[n].append((w, ru.ru_utime + ru.ru_stime))
base = None
print("load", open('/proc/loadavg').read().split()[:3])
for n, _ in cases:
    w = statistics.median(x[0] for x in res[n]); c = statistics.median(x[1] for x in res[n])
    if base is None: base = (w, c)
    print(f"{n:28s} wall {w*1000:7.1f} ms ({w/base[0]:4.2f}x)  cpu {c*1000:7.1f} ms ({c/base[1]:4.2f}x)  min cpu {min(x[1] for x in res[n])*1000:6.1f}")
