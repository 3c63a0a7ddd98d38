#!/usr/bin/env bash
# Builds k6 once with the installed Go, from the Go module proxy only (no release download: the
# module proxy is what our machines reach), into ~/.cache/onecard/k6/<version>/k6, and prints
# that path on stdout. Progress goes to stderr. Used by scripts/k6.sh and the k6 smoke test
# (test/e2e/k6-smoke.test.ts); K6_VERSION picks another version.
set -euo pipefail
version="${K6_VERSION:-v1.8.1}"
bin_dir="${HOME}/.cache/onecard/k6/${version}"
if [ -x "${bin_dir}/k6" ]; then
  echo "${bin_dir}/k6"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "k6 ${version} is built with Go (go.k6.io/k6 ${version} needs Go >= 1.25): install Go first" >&2
  exit 1
fi
echo "==> building k6 ${version} with $(go version | cut -d' ' -f3), once (a few minutes; cached in ${bin_dir})" >&2
echo "    modules come from the Go module proxy ($(go env GOPROXY)); each package is named as it compiles" >&2
mkdir -p "$bin_dir"
# Built into a fresh folder and moved into place: two builds at once (k6.sh and the test) never
# leave a half-written binary where the other looks. -mod=mod: k6's own go.mod decides versions.
tmp="$(mktemp -d "${bin_dir}/build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
start=$(date +%s)
GOBIN="$tmp" GOFLAGS=-mod=mod nice go install -v "go.k6.io/k6@${version}"
mv -f "$tmp/k6" "${bin_dir}/k6"
echo "==> k6 ${version} built in $(($(date +%s) - start)) s: ${bin_dir}/k6" >&2
echo "${bin_dir}/k6"
