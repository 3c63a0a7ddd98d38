#!/usr/bin/env bash
# Makes a fresh clone ready: npm dependencies (better-sqlite3 and node-rdkafka compile from
# source, ~3 minutes the first time) and the generated protobuf code. Idempotent and quick
# when nothing changed. Builds the gateway's Node addon too (scripts/node-addon.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
step() { echo "==> $*" >&2; }

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 20 ]; then echo "Node 20 or newer is needed (found $(node -v))" >&2; exit 1; fi

stamp="node_modules/.onecard-lock"
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  # Native modules compile with node-gyp: make sure the toolchain is there.
  if ! command -v g++ >/dev/null || ! command -v make >/dev/null || ! command -v python3 >/dev/null; then
    step "installing build tools (g++, make, python3)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq g++ make python3 >&2
  fi
  step "npm ci (compiles better-sqlite3 and node-rdkafka the first time: a few minutes)"
  npm ci --no-audit --no-fund --loglevel=error >&2
  cp package-lock.json "$stamp"
fi
step "generating protobuf code"
node scripts/gen-proto.mjs
step "the gateway's Node addon (gcc; SHA-256 for the tap path, docs/decisions/0247)"
bash scripts/node-addon.sh
