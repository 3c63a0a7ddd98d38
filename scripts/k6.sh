#!/usr/bin/env bash
# Load tests of the HTTP API with k6 (load/k6/*.js), against a gateway this script starts on
# 127.0.0.1 (SQLite store, embedded MQTT broker, a month of seeded records), bounded in time.
#   bash scripts/k6.sh [script ...]      default: every load/k6/*.js
# k6 is built once from the Go module proxy into ~/.cache/onecard/k6/<version> (a few minutes).
# Results: each script's end-of-test summary; .run/k6/<name>.json holds the summary as JSON.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
K6_VERSION="${K6_VERSION:-v1.8.1}"
bin_dir="${HOME}/.cache/onecard/k6/${K6_VERSION}"
k6="${bin_dir}/k6"
if [ ! -x "$k6" ]; then
  echo "==> building k6 ${K6_VERSION} with $(go version | cut -d' ' -f3) (once; cached in ${bin_dir})" >&2
  mkdir -p "$bin_dir"
  GOBIN="$bin_dir" GOFLAGS=-mod=mod nice go install "go.k6.io/k6@${K6_VERSION}"
fi

port="${ONECARD_K6_HTTP_PORT:-18480}"
mqtt_port="${ONECARD_K6_MQTT_PORT:-18481}"
mkdir -p .run/k6
node --import tsx load/k6/serve.ts --port "$port" --mqtt-port "$mqtt_port" > .run/k6/gateway.log 2>&1 &
gw_pid=$!
trap 'kill "$gw_pid" 2>/dev/null || true; wait "$gw_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  if [ -s .run/k6/env.json ] && curl -sf "http://127.0.0.1:${port}/readyz" >/dev/null; then break; fi
  if ! kill -0 "$gw_pid" 2>/dev/null; then cat .run/k6/gateway.log >&2; exit 1; fi
  sleep 0.5
done

scripts=("$@")
if [ ${#scripts[@]} -eq 0 ]; then
  scripts=(load/k6/records-search.js load/k6/topups.js load/k6/holder.js load/k6/qr.js load/k6/reservations.js load/k6/stats.js)
fi
status=0
for s in "${scripts[@]}"; do
  name="$(basename "$s" .js)"
  echo "==> k6 run ${s}" >&2
  "$k6" run --quiet --no-usage-report --summary-export ".run/k6/${name}.json" \
    -e BASE_URL="http://127.0.0.1:${port}" -e ENV_FILE="$root/.run/k6/env.json" "$s" || status=$?
done
exit $status
