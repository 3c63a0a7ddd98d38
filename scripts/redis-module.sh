#!/usr/bin/env bash
# Builds onecard's Redis module (gateway/src/store/native/, docs/decisions/0232) with gcc and
# prints the path of the .so; every Redis node loads it (deploy/redis/redis.conf: loadmodule).
# Rebuilt only when a source is newer than the .so. Atomic: two scripts starting Redis nodes at
# once never load a half-written file.
# Usage: scripts/redis-module.sh [dir]   (default .run/redis-module; a city: /usr/lib/onecard)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/gateway/src/store/native"
dir="${1:-$root/.run/redis-module}"
so="$dir/onecard-redis.so"
mkdir -p "$dir"
stale=0
if [ ! -f "$so" ]; then stale=1; else
  for f in "$src"/*.c "$src"/*.h; do [ "$f" -nt "$so" ] && stale=1; done
fi
if [ "$stale" = 1 ]; then
  if ! command -v gcc >/dev/null; then
    echo "[redis-module] installing gcc (Debian)" >&2
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends gcc libc6-dev >&2
  fi
  tmp="$(mktemp "$dir/.onecard-redis.XXXXXX")"
  gcc -O2 -std=c11 -Wall -Wextra -Werror -fPIC -shared -o "$tmp" "$src"/*.c
  mv -f "$tmp" "$so"
  echo "[redis-module] built $so" >&2
fi
echo "$so"
