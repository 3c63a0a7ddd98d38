#!/usr/bin/env bash
# Builds the gateway's Node addon (gateway/src/addon/, docs/decisions/0247) with gcc against the
# running node's headers, into gateway/src/addon/build/onecard.node, where gateway/src/addon/
# sha256.ts loads it from. Rebuilt only when a source is newer than the build. Atomic: a gateway
# starting meanwhile never loads a half-written file. gcc is installed if missing. Without Node's
# headers, or when gcc fails, it says why and builds nothing: the gateway then hashes with
# node:crypto (the same digests, ~2x the cost a call) and says so on /metrics, and the addon's
# tests fail.
# Usage: scripts/node-addon.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/gateway/src/addon"
dir="$src/build"
out="$dir/onecard.node"
stale=0
if [ ! -f "$out" ]; then stale=1; else
  for f in "$src"/*.c; do [ "$f" -nt "$out" ] && stale=1; done
fi
[ "$stale" = 1 ] || exit 0
# Node's headers: beside the binary (a tarball or nodesource install: <prefix>/include/node).
headers="$(dirname "$(dirname "$(command -v node)")")/include/node"
# OpenSSL's: Node's own copy there, or the system's (a node linked to the system's libssl).
if [ ! -f "$headers/node_api.h" ] || { [ ! -f "$headers/openssl/sha.h" ] && [ ! -f /usr/include/openssl/sha.h ]; }; then
  echo "[node-addon] no Node or OpenSSL headers at $headers: not built, node:crypto hashes instead" >&2
  exit 0
fi
if ! command -v gcc >/dev/null; then
  echo "[node-addon] installing gcc (Debian)" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends gcc libc6-dev >&2
fi
mkdir -p "$dir"
tmp="$(mktemp "$dir/.onecard.XXXXXX")"
# Node's own OpenSSL is in the process that loads it: its symbols stay unresolved here.
# A failed build stops nothing: the gateway works without it (and its tests then say so).
if ! gcc -O2 -std=c11 -Wall -Wextra -Werror -fPIC -shared -I"$headers" -o "$tmp" "$src"/*.c; then
  rm -f "$tmp"
  echo "[node-addon] gcc failed (above): not built, node:crypto hashes instead" >&2
  exit 0
fi
mv -f "$tmp" "$out"
echo "[node-addon] built $out" >&2
