#!/usr/bin/env bash
# Macro benchmark: the same upstream reached directly, through nginx `proxy_pass`, and through airlock, in one
# run, alternating. Prints a Markdown report (BENCHMARKS.md is this output plus the machine description).
#
#   benches/macro/run.sh [SECONDS_PER_RUN]      (default 10; needs root for apt-get, or nginx + wrk installed)
#
# AIRLOCK_BIN=/path/to/airlock skips `cargo build`. LiteLLM's proxy (the LLM-stream peer) is installed on first
# use into its own venv under ~/.cache/airlock-bench/litellm.
#
# Everything listens on 127.0.0.1; every load loop is bounded in time. The load generator, the upstream and
# the proxy share this machine's cores, so nginx's own proxy hop is the practical ceiling for airlock.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-10}
W=$(mktemp -d)
trap 'kill $(cat "$W"/*.pid 2>/dev/null) 2>/dev/null || true; nginx -p "$W" -c "$W/nginx.conf" -s stop 2>/dev/null || true; sleep 0.5; rm -rf "$W"' EXIT

need() { command -v "$1" >/dev/null 2>&1; }
need nginx && need wrk || { apt-get update -qq && apt-get install -y -qq nginx-light wrk >/dev/null; }
need oha || cargo install oha --locked --quiet
AIRLOCK=${AIRLOCK_BIN:-target/release/airlock}
[ -n "${AIRLOCK_BIN:-}" ] || cargo build --release --quiet --bin airlock

# LiteLLM 1.109.x needs certifi 2026.10.19 and litellm-proxy-extras 0.4.113, which the reachable index lacks;
# 1.106.2 is the newest version pip resolves.
LITELLM_VERSION=1.106.2
LL=$HOME/.cache/airlock-bench/litellm
if [ "$("$LL/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))' 2>/dev/null)" != "$LITELLM_VERSION" ]; then
  python3 -m venv "$LL"
  timeout 1200 "$LL/bin/pip" install -q "litellm[proxy]==$LITELLM_VERSION"
fi

# A 1 MiB Anthropic-style stream (text deltas, one tool call), and a 1 GiB SSE file for the memory test.
python3 benches/macro/make_streams.py "$W"

mkdir -p "$W/logs"
cat > "$W/nginx.conf" <<NGINX
worker_processes 1;
pid $W/nginx.pid;
error_log $W/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $W; proxy_temp_path $W; fastcgi_temp_path $W; uwsgi_temp_path $W; scgi_temp_path $W;
  keepalive_requests 1000000;
  upstream fixed { server 127.0.0.1:18081; keepalive 64; }
  server {
    listen 127.0.0.1:18081;
    location = /mcp-json { default_type application/json;
      return 200 '{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"$(printf 'x%.0s' $(seq 1 900))"}],"isError":false}}'; }
    location = /mcp-sse { default_type text/event-stream;
      return 200 'event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"$(printf 'x%.0s' $(seq 1 900))"}],"isError":false}}\n\n'; }
    location = /v1/messages { proxy_method GET; proxy_pass http://127.0.0.1:18081/stream.sse; proxy_buffering off; }
    location = /stream.sse { root $W; default_type text/event-stream; }
    location = /big.sse { root $W; default_type text/event-stream; }
  }
  server {
    listen 127.0.0.1:18082;
    location / { proxy_pass http://fixed; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
  }
}
NGINX
nginx -p "$W" -c "$W/nginx.conf"

cat > "$W/airlock.toml" <<TOML
[listen]
addr = "127.0.0.1:18083"
[policy]
profile = "moderate"
[audit]
path = "$W/audit.jsonl"
[limits]
max_connections = 8192
[[mcp]]
name = "json"
path = "/mcp-json"
upstream = "http://127.0.0.1:18081/mcp-json"
[[mcp]]
name = "sse"
path = "/mcp-sse"
upstream = "http://127.0.0.1:18081/mcp-sse"
[[mcp]]
name = "big"
path = "/big"
upstream = "http://127.0.0.1:18081/big.sse"
[[llm]]
name = "llm"
path = "/llm"
api = "anthropic-messages"
upstream = "http://127.0.0.1:18081"
api_key_env = "BENCH_KEY"
TOML
BENCH_KEY=bench-key AIRLOCK_LOG=warn "$AIRLOCK" serve --config "$W/airlock.toml" 2>"$W/airlock.log" &
echo $! > "$W/airlock.pid"

for p in 18081 18082 18083; do for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && break; sleep 0.1; done; done
rss() { awk '/VmRSS/ {print $2}' "/proc/$(cat "$W/airlock.pid")/status"; }
sleep 1
IDLE_START=$(rss)   # before any load

BODY='{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read_file","arguments":{"path":"README.md"}}}'
printf '%s' "$BODY" > "$W/body.json"
cat > "$W/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.body = [[$BODY]]
done = function(summary, latency, requests)
  io.write(string.format("RESULT %.1f %.3f %.3f %.3f\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000))
end
LUA

declare -A URL=(
  [direct-json]=http://127.0.0.1:18081/mcp-json [nginx-json]=http://127.0.0.1:18082/mcp-json [airlock-json]=http://127.0.0.1:18083/mcp-json
  [direct-sse]=http://127.0.0.1:18081/mcp-sse [nginx-sse]=http://127.0.0.1:18082/mcp-sse [airlock-sse]=http://127.0.0.1:18083/mcp-sse
)
run_wrk() { wrk -t1 -c32 -d"${SECS}s" -s "$W/post.lua" "$1" 2>/dev/null | sed -n 's/^RESULT //p'; }
declare -A RES
for kind in json sse; do
  for round in 1 2; do
    for via in direct nginx airlock; do
      RES[$via-$kind-$round]=$(run_wrk "${URL[$via-$kind]}")
    done
  done
done

# Added latency at a fixed 1,000 req/s.
run_oha() { oha -z "${SECS}s" -q 1000 -c 16 -m POST -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
  -D "$W/body.json" --no-tui --output-format json "$1" 2>/dev/null | python3 -c '
import json,sys; d=json.load(sys.stdin); p=d["latencyPercentiles"]
print("%.3f %.3f %.3f" % (p["p50"]*1000, p["p99"]*1000, p["p99.9"]*1000))'; }
declare -A FIXED
for via in direct nginx airlock; do FIXED[$via]=$(run_oha "${URL[$via-json]}"); done

# LiteLLM on its Anthropic-format route (POST /v1/messages, what Claude Code and Anthropic SDKs call), one
# default uvicorn worker. No database_url (no DB), spend logs off; this version has no telemetry; LITELLM_LOCAL_*
# keeps it from fetching the cost map and beta-header list from GitHub. It refuses to start without a master key.
LL_KEY=sk-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
cat > "$W/litellm.yaml" <<YAML
model_list:
  - model_name: m
    litellm_params:
      model: anthropic/m
      api_base: http://127.0.0.1:18081
      api_key: bench-key
general_settings:
  disable_spend_logs: true
YAML
LITELLM_MASTER_KEY=$LL_KEY LITELLM_LOCAL_MODEL_COST_MAP=True LITELLM_LOCAL_ANTHROPIC_BETA_HEADERS=True \
  "$LL/bin/litellm" --config "$W/litellm.yaml" --host 127.0.0.1 --port 18084 >"$W/litellm.log" 2>&1 &
echo $! > "$W/litellm.pid"
for _ in $(seq 1 240); do
  curl -sf -m 2 -o /dev/null http://127.0.0.1:18084/health/readiness && break
  kill -0 "$(cat "$W/litellm.pid")" 2>/dev/null || break
  sleep 0.5
done
curl -sf -m 2 -o /dev/null http://127.0.0.1:18084/health/readiness || { echo "LiteLLM did not become ready:" >&2; tail -20 "$W/litellm.log" >&2; exit 1; }

# LLM stream: time to first byte and throughput of a 1 MiB streamed reply, direct vs airlock vs LiteLLM,
# 20 rounds alternating the three hops.
declare -A LLM_URL=([direct]=http://127.0.0.1:18081/v1/messages [airlock]=http://127.0.0.1:18083/llm/v1/messages
  [litellm]=http://127.0.0.1:18084/v1/messages)
declare -A LLM_KEY=([direct]=placeholder [airlock]=placeholder [litellm]=$LL_KEY)
llm() { curl -s -m 60 -o "${2:-/dev/null}" -w '%{time_starttransfer} %{time_total} %{size_download}\n' -X POST -H 'content-type: application/json' \
  -H "x-api-key: ${LLM_KEY[$1]}" -d '{"model":"m","stream":true,"max_tokens":10,"messages":[{"role":"user","content":"hi"}]}' "${LLM_URL[$1]}"; }
# One unmeasured LiteLLM request (its first pays lazy imports): the whole stream must come back.
read -r _ _ LL_SIZE < <(llm litellm "$W/litellm.sse")
SSE_SIZE=$(stat -c %s "$W/stream.sse")
if [ "$LL_SIZE" -lt $((SSE_SIZE * 9 / 10)) ] || ! tail -n 3 "$W/litellm.sse" | grep -q message_stop; then
  echo "LiteLLM returned an incomplete stream ($LL_SIZE of $SSE_SIZE bytes); see $W/litellm.sse" >&2; exit 1
fi
if cmp -s "$W/litellm.sse" "$W/stream.sse"; then LL_SAME=identical; else LL_SAME=transformed; fi
# LiteLLM keeps working after a reply is sent (logging callbacks over the ~8,000 chunks); wait until its CPU
# time stops moving (at most 5 s) so that work is not billed to the next hop.
settle() { local pid; pid=$(cat "$W/litellm.pid"); local a b; b=$(awk '{print $14+$15}' "/proc/$pid/stat")
  for _ in $(seq 1 50); do sleep 0.1; a=$b; b=$(awk '{print $14+$15}' "/proc/$pid/stat"); [ "$a" = "$b" ] && break; done; }
LLM_RES=$(for _ in $(seq 1 20); do for via in direct airlock litellm; do echo "llm $via $(llm "$via")"; done; settle; done)
LL_PID=$(cat "$W/litellm.pid"); kill "$LL_PID"; rm "$W/litellm.pid"
for _ in $(seq 1 50); do kill -0 "$LL_PID" 2>/dev/null || break; sleep 0.1; done

# Memory: idle RSS, then RSS sampled while 1 GiB streams through airlock.
PID=$(cat "$W/airlock.pid")
sleep 2
IDLE_BEFORE=$(rss)  # idle again after the load above
( while kill -0 "$PID" 2>/dev/null; do rss; sleep 0.2; done ) > "$W/rss.txt" & echo $! > "$W/sampler.pid"
BIG=$(curl -s -o /dev/null -w '%{size_download} %{time_total}' http://127.0.0.1:18083/big)
kill "$(cat "$W/sampler.pid")" 2>/dev/null || true
IDLE_AFTER=$(rss)

python3 benches/macro/report.py "$SECS" "$W" <<EOF2
$(for k in "${!RES[@]}"; do echo "wrk $k ${RES[$k]}"; done)
$(for k in "${!FIXED[@]}"; do echo "fixed $k ${FIXED[$k]}"; done)
$LLM_RES
litellm $LITELLM_VERSION $LL_SAME $LL_SIZE $SSE_SIZE
big $BIG
idle $IDLE_START $IDLE_BEFORE $IDLE_AFTER
EOF2
