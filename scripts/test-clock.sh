#!/usr/bin/env bash
# Runs test suites with their clock at the instants where days turn over, to catch a test that
# passes or fails by the hour CI happens to run it (test/support/clock-shift.mjs moves the
# wall clock of each test file and of the processes it starts; nothing else changes).
#
#   bash scripts/test-clock.sh                     the suites whose assertions are about a day
#   bash scripts/test-clock.sh --project unit      any vitest arguments instead
#   ONECARD_TEST_CLOCK_INSTANTS="2026-12-31T15:59:50Z ..." bash scripts/test-clock.sh
#
# The default instants are three seconds before the last Beijing month end (a Beijing midnight,
# 16:00 UTC, that also turns the month, and the year in December) and before the last UTC
# midnight. Every test file starts there, so the day turns while its gateway starts or its first
# tests run (the venue suites before their fix failed so; from ten seconds before, they had
# ended first). About a minute each. The instants are in the past on purpose: Kafka refuses
# messages dated more than an hour ahead of its own clock, and Redis and PostgreSQL keep their
# own clocks (a test comparing their time with its own cannot run moved). Needs the services
# (scripts/services.sh up, then nothing else) like any integration run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ -f .run/services.env ]; then set -a; . .run/services.env; set +a; fi

instants="${ONECARD_TEST_CLOCK_INSTANTS:-$(node -e '
  const DAY = 86_400_000, CST = 8 * 3_600_000, now = Date.now();
  const utcMidnight = Math.floor(now / DAY) * DAY;
  const d = new Date(now + CST);
  const bjMonth = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1) - CST;
  console.log([bjMonth, utcMidnight].map((t) => new Date(t - 3_000).toISOString()).join(" "));
')}"

# Each names a day in its assertions (entries today, a daily sum, the slot running now, a
# reservation for today, a tap's day against the dedupe window).
suites=(
  test/gateway/venues/visits.int.test.ts
  test/gateway/http/venues.int.test.ts
  test/gateway/http/venue-stats.int.test.ts
  test/gateway/payments/limits.int.test.ts
  test/gateway/visits.int.test.ts
  test/edge-agent/lists/sync.int.test.ts
  test/edge-agent/qr/qr.int.test.ts
  test/gateway/ingest/window.int.test.ts
  test/security/seq-reuse.int.test.ts
)
[ $# -gt 0 ] && suites=("$@")

# One run after the other: the suites' gateways publish list heads on the broker's shared list
# topics, so two runs side by side would read each other's.
status=0
for at in $instants; do
  echo "==> clock at $at" >&2
  ONECARD_TEST_NOW="$at" npx vitest run "${suites[@]}" || status=1
done
exit $status
