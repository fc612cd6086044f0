"""Turns the raw lines run.sh collects (stdin) into the Markdown report."""
import statistics
import sys

secs, work = sys.argv[1], sys.argv[2]
wrk, fixed, llm, big, idle, litellm = {}, {}, {"direct": [], "airlock": [], "litellm": []}, None, None, None
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
    elif p[0] == "idle" and len(p) == 4:
        idle = (int(p[1]), int(p[2]), int(p[3]))
    elif p[0] == "litellm" and len(p) == 5:
        litellm = (p[1], p[2], int(p[3]), int(p[4]))
rss = [int(x) for x in open(f"{work}/rss.txt").read().split() if x.isdigit()]


def best(via, kind):
    runs = wrk.get((via, kind), [])
    return max(runs, key=lambda r: r[0]) if runs else (0, 0, 0, 0)


def llm_medians(rs):
    return (statistics.median(r[0] for r in rs) * 1000, statistics.median(r[1] for r in rs) * 1000,
            statistics.median(r[2] / r[1] / (1 << 20) for r in rs if r[1] > 0))


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
print("| hop | time to first byte ms | total ms | MiB/s | TTFB added vs direct | throughput vs direct |")
print("|---|---|---|---|---|---|")
base = llm_medians(llm["direct"]) if llm["direct"] else None
for via in ("direct", "airlock", "litellm"):
    rs = llm[via]
    if rs:
        ttfb, tot, mibs = llm_medians(rs)
        ratio = mibs / base[2] if base else 0
        vs = f" {ttfb - base[0]:+.2f} ms | {ratio:.{2 if ratio >= 0.1 else 4}f}× |" if base else " | |"
        rate = f"{mibs:.{0 if mibs >= 10 else 2}f}"
        print(f"| {via} | {ttfb:.2f} | {tot:.2f} | {rate} |{vs}")
for via, rs in llm.items():
    sizes = [int(r[2]) for r in rs]
    if sizes and min(sizes) != max(sizes):
        print(f"\n{via} reply sizes varied: {min(sizes):,} to {max(sizes):,} bytes.")
if litellm:
    ver, same, got, want = litellm
    how = ("relayed the stream byte-identical to the upstream" if same == "identical" else
           f"re-encoded the stream ({got:,} bytes for the upstream's {want:,}; it still ends with `message_stop`)")
    print(f"\nLiteLLM {ver} (`POST /v1/messages`, model `anthropic/m` with `api_base` = the upstream, one uvicorn worker, "
          f"no database, spend logs off) {how}.")
if big and idle:
    print(f"\n### Memory\n\n- idle RSS: {idle[0]/1024:.1f} MiB at start (before any load); {idle[1]/1024:.1f} MiB idle after the "
          f"load above; {idle[2]/1024:.1f} MiB after the 1 GiB stream")
    print(f"- 1 GiB SSE stream through airlock: {big[0]/(1<<30):.2f} GiB in {big[1]:.1f} s ({big[0]/big[1]/(1<<20):.0f} MiB/s); "
          f"RSS while streaming: max {max(rss)/1024:.1f} MiB, min {min(rss)/1024:.1f} MiB over {len(rss)} samples")
