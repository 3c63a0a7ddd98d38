#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (test/e2e/console.test.ts), and a CJK
# font so the Chinese labels render (and the screenshots show them), when either is missing. playwright-core drives it; `npx playwright install` cannot work on our machines
# (it downloads a browser build from outside the package registries).
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -n "$(fc-list :lang=zh 2>/dev/null)" ] || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "==> installing ${missing[*]} (Debian packages) for the browser tests" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
command -v chromium >/dev/null
