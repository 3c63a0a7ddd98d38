#!/usr/bin/env bash
# Makes the conformance kit's Python venv once (conformance/requirements.txt, from PyPI, wheels
# only) under ~/.cache/onecard/conformance/<hash>/ and prints its python's path on stdout.
# Progress goes to stderr. The hash covers the requirements and the Python version, so a changed
# pin or a new Python makes a new venv; an unchanged one is reused in well under a second.
# Used by scripts/test.sh before the tests and by test/conformance/kit.int.test.ts when missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
req="$root/conformance/requirements.txt"
py="${PYTHON:-python3}"
if ! command -v "$py" >/dev/null 2>&1; then
  echo "the conformance kit needs Python 3.10 or later as '$py' (set PYTHON to another)" >&2
  exit 1
fi
version="$("$py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
hash="$( (cat "$req"; echo "$version") | sha256sum | cut -c1-16)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/onecard/conformance"
dir="$cache/$hash"
if [ -x "$dir/venv/bin/python" ] && [ -f "$dir/ok" ]; then
  echo "$dir/venv/bin/python"
  exit 0
fi
mkdir -p "$cache"
# One maker at a time (test.sh and the test may both ask); the second finds the venv made.
exec 9>"$cache/lock"
flock 9
if [ -x "$dir/venv/bin/python" ] && [ -f "$dir/ok" ]; then
  echo "$dir/venv/bin/python"
  exit 0
fi
echo "==> conformance kit: making its Python $version venv once (cached in $dir)" >&2
# Made in a fresh folder and moved into place, so an interrupted run never leaves a venv that
# looks whole.
tmp="$(mktemp -d "$cache/build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
if ! "$py" -m venv "$tmp/venv" >&2; then
  # Debian splits venv out of python3: install it (as root, like scripts/services.sh) and retry.
  echo "==> '$py -m venv' failed: installing Debian's python3-venv" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >&2
  rm -rf "$tmp/venv"
  "$py" -m venv "$tmp/venv" >&2
fi
echo "    installing $(grep -cv '^\s*\(#\|$\)' "$req") pinned packages from PyPI" >&2
"$tmp/venv/bin/python" -m pip install --disable-pip-version-check --no-input --only-binary=:all: \
  --progress-bar off -r "$req" >&2
touch "$tmp/ok"
rm -rf "$dir"
mv "$tmp" "$dir"
echo "==> conformance kit venv ready: $dir/venv" >&2
echo "$dir/venv/bin/python"
