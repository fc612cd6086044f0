"""Turns the raw lines run.sh collects (stdin) into the Markdown report."""
import statistics
import sys

secs, work = sys.argv[1], sys.argv[2]
wrk, fixed, llm, big, idle = {}, {}, {"direct": [], "airlock": []}, None, None
for line in sys.stdin:
    p = line.split()
    if not p:
        continue
    if p[0] == "wrk" and len(p) == 6:
        via, kind, rnd = p[1].split("-")
        wrk.setdefault((via, kind), []).append(tuple(map(float, p[2:])))
    elif p[0] == "fixed" and len(p) == 5:
        fixed[p[1]] = tuple(map(float, p[2:]))
    elif p[0] == "llm" and len(p) == 5:
        llm[p[1]].append(tuple(map(float, p[2:])))
    elif p[0] == "big" and len(p) == 3:
        big = (float(p[1]), float(p[2]))
    elif p[0] == "idle" and len(p) == 3:
        idle = (int(p[1]), int(p[2]))
rss = [int(x) for x in open(f"{work}/rss.txt").read().split() if x.isdigit()]


def best(via, kind):
    runs = wrk.get((via, kind), [])
    return max(runs, key=lambda r: r[0]) if runs else (0, 0, 0, 0)


print(f"### MCP `tools/call` through each hop ({secs} s per run, 32 connections, best of 2 alternating rounds)\n")
print("| reply | hop | req/s | p50 ms | p99 ms | p99.9 ms | throughput vs direct | vs nginx |")
print("|---|---|---|---|---|---|---|---|")
for kind in ("json", "sse"):
    d, n = best("direct", kind), best("nginx", kind)
    for via in ("direct", "nginx", "airlock"):
        r = best(via, kind)
        print(f"| {kind.upper()} | {via} | {r[0]:,.0f} | {r[1]:.3f} | {r[2]:.3f} | {r[3]:.3f} | {r[0]/d[0]:.2f}× | {r[0]/n[0]:.2f}× |")
print(f"\n### Added latency at a fixed 1,000 req/s (MCP JSON, {secs} s, oha)\n")
print("| hop | p50 ms | p99 ms | p99.9 ms | added p99 vs direct |")
print("|---|---|---|---|---|")
for via in ("direct", "nginx", "airlock"):
    r = fixed.get(via, (0, 0, 0))
    print(f"| {via} | {r[0]:.3f} | {r[1]:.3f} | {r[2]:.3f} | {r[1] - fixed.get('direct', (0, 0, 0))[1]:+.3f} ms |")
print("\n### LLM stream (1 MiB Anthropic-style SSE reply with one judged tool call, 20 requests each, medians)\n")
print("| hop | time to first byte ms | total ms | MiB/s |")
print("|---|---|---|---|")
for via in ("direct", "airlock"):
    rs = llm[via]
    if rs:
        ttfb = statistics.median(r[0] for r in rs) * 1000
        tot = statistics.median(r[1] for r in rs) * 1000
        mibs = statistics.median(r[2] / r[1] / (1 << 20) for r in rs if r[1] > 0)
        print(f"| {via} | {ttfb:.2f} | {tot:.2f} | {mibs:.0f} |")
if big and idle:
    print(f"\n### Memory\n\n- idle RSS: {idle[0]/1024:.1f} MiB at start, {idle[1]/1024:.1f} MiB after everything above")
    print(f"- 1 GiB SSE stream through airlock: {big[0]/(1<<30):.2f} GiB in {big[1]:.1f} s ({big[0]/big[1]/(1<<20):.0f} MiB/s); "
          f"RSS while streaming: max {max(rss)/1024:.1f} MiB, min {min(rss)/1024:.1f} MiB over {len(rss)} samples")
