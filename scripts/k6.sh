#!/usr/bin/env bash
# Load tests of the HTTP API with k6 (load/k6/*.js), against a gateway this script starts on
# 127.0.0.1 (SQLite store, embedded MQTT broker, a month of seeded records), bounded in time.
#   bash scripts/k6.sh [script ...]      default: every load/k6/*.js
# k6 is built once from the Go module proxy into ~/.cache/onecard/k6/<version> (a few minutes,
# scripts/k6-build.sh). Results: each script's end-of-test summary; .run/k6/<name>.json holds
# the summary as JSON. npm test runs every script briefly (test/e2e/k6-smoke.test.ts).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
k6="$(bash scripts/k6-build.sh)"

port="${ONECARD_K6_HTTP_PORT:-18480}"
mqtt_port="${ONECARD_K6_MQTT_PORT:-18481}"
mkdir -p .run/k6
# A file left by an earlier run must not pass for this gateway's.
rm -f .run/k6/env.json
node --import tsx load/k6/serve.ts --dir .run/k6 --port "$port" --mqtt-port "$mqtt_port" > .run/k6/gateway.log 2>&1 &
gw_pid=$!
trap 'kill "$gw_pid" 2>/dev/null || true; wait "$gw_pid" 2>/dev/null || true' EXIT
echo "==> gateway on 127.0.0.1:${port}, seeding a month of rides (log: .run/k6/gateway.log)" >&2
for _ in $(seq 1 600); do
  if [ -s .run/k6/env.json ] && curl -sf "http://127.0.0.1:${port}/readyz" >/dev/null; then break; fi
  if ! kill -0 "$gw_pid" 2>/dev/null; then cat .run/k6/gateway.log >&2; exit 1; fi
  sleep 0.5
done
if [ ! -s .run/k6/env.json ]; then
  echo "the gateway was not ready after 300 s (log: .run/k6/gateway.log)" >&2
  exit 1
fi

scripts=("$@")
if [ ${#scripts[@]} -eq 0 ]; then
  # Every script but the shared module, so a new script is never left out.
  for s in load/k6/*.js; do [ "$s" = load/k6/common.js ] || scripts+=("$s"); done
fi
status=0
for s in "${scripts[@]}"; do
  name="$(basename "$s" .js)"
  echo "==> k6 run ${s}" >&2
  # --address '': no REST API listener on localhost:6565, which a second k6 would collide with.
  "$k6" run --quiet --no-usage-report --address '' --summary-export ".run/k6/${name}.json" \
    -e BASE_URL="http://127.0.0.1:${port}" -e ENV_FILE="$root/.run/k6/env.json" "$s" || status=$?
done
exit $status
