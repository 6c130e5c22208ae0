import sys,re,statistics as st
# Per case and side: the ratio (bare/BigArrays time) of each run, and their median.
side=None; data={}; sides=[]
for line in open(sys.argv[1]):
    m=re.match(r'== round (\d+) side (\S+)',line)
    if m:
        side=m.group(2)
        if side not in sides: sides.append(side)
        continue
    if line.startswith('| ') and not line.startswith('| case'):
        f=[x.strip() for x in line.strip().strip('|').split('|')]
        data.setdefault(f[0],{}).setdefault(side,[]).append(float(f[5]))
print("| case | " + " | ".join(f"{s} ratios" for s in sides) + " | " + " | ".join(f"{s} median" for s in sides) + " |")
print("|---|" + "---|"*len(sides) + "---:|"*len(sides))
for c,d in data.items():
    print(f"| {c} | " + " | ".join(' '.join('%.2f'%x for x in d.get(s,[])) for s in sides) + " | " + " | ".join('%.2f'%st.median(d[s]) if d.get(s) else '-' for s in sides) + " |")
