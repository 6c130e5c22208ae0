import re,sys,statistics,collections
d=collections.defaultdict(lambda: {'w':[], 'c':[], 'res':[]})
cur=None
for line in open(sys.argv[1]):
    m=re.match(r'== round (\d+) case (\w+) jar (\w+)',line)
    if m: cur=(m.group(2),m.group(3)); continue
    m=re.search(r'rep (\d+): .*ratio ([\d.]+); process CPU: baseline ([\d.]+) s, pyramid ([\d.]+) s, ratio ([\d.]+)',line)
    if m and int(m.group(1))>0:
        d[cur]['w'].append(float(m.group(2))); d[cur]['c'].append(float(m.group(5)))
    m=re.search(r'RESULT .*baseline ([\d.]+) s, pyramid ([\d.]+) s, ratio ([\d.]+); process CPU baseline ([\d.]+) s, pyramid ([\d.]+) s, ratio ([\d.]+)',line)
    if m: d[cur]['res'].append((float(m.group(3)),float(m.group(6))))
for k in sorted(d):
    v=d[k]
    print(k, 'n=%d'%len(v['w']), 'wall ratio median %.2f min %.2f'%(statistics.median(v['w']),min(v['w'])), '| CPU ratio median %.2f min %.2f'%(statistics.median(v['c']),min(v['c'])), '| per-run best-of (wall, cpu):', v['res'])
