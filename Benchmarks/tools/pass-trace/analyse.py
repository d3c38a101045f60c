"""Summarises shim2.so's records: pass lengths, events per pass, and per-request intervals."""
import sys
def q(a, p): return a[min(len(a) - 1, int(p * len(a)))]
for name in sys.argv[1:]:
    rows = [tuple(map(int, l.split())) for l in open(f"{name}.txt")]
    n = len(rows); rows = rows[n // 10:-n // 10]  # the steady middle
    passes = []; start = None; events = 0
    lastw = {}; lastr = {}; turn = []; serve = []; cycle = []; since = []
    pass_number = 0; written_in = {}; missed = 0; followed = 0
    for t, kind, fd, x in rows:
        if kind == 0 and start is not None: passes.append(((t - start) / 1000, events))
        if kind == 1: start = t; events = x; pass_number += 1
        elif kind == 2:
            if fd in written_in:
                followed += 1
                missed += pass_number - written_in[fd] >= 2  # not read in the pass after its reply's
            if fd in lastw: turn.append((t - lastw[fd]) / 1000)
            if start: since.append((t - start) / 1000)
            lastr[fd] = t
        elif kind == 3:
            if fd in lastr: serve.append((t - lastr[fd]) / 1000)
            if fd in lastw: cycle.append((t - lastw[fd]) / 1000)
            lastw[fd] = t
            written_in[fd] = pass_number
    passes = [p for p in passes if p[1] > 0]
    dur = sorted(p[0] for p in passes); ev = sorted(p[1] for p in passes)
    big = sum(p[1] for p in passes if p[1] >= 30) / max(1, sum(p[1] for p in passes))
    print(f"{name}: {len(passes)} passes with events; events a pass p10 {q(ev,.1)} p50 {q(ev,.5)} p90 {q(ev,.9)}; "
          f"share of events in passes of 30 or more: {big:.2f}")
    print(f"  requests read two or more passes after their connection's previous reply: {missed} of {followed} ({100 * missed / followed:.1f} %)")
    print(f"  pass length µs p50 {q(dur,.5):.0f} p90 {q(dur,.9):.0f} p99 {q(dur,.99):.0f}")
    for label, a in (("reply written -> next request read", turn), ("request read -> reply written", serve),
                     ("pass start -> request read", since), ("reply -> next reply (cycle)", cycle)):
        a.sort(); print(f"  {label:36s} µs p50 {q(a,.5):5.0f} p90 {q(a,.9):5.0f} p99 {q(a,.99):5.0f} p99.9 {q(a,.999):5.0f}")
