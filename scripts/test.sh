#!/usr/bin/env bash
# The one test command (npm test; .ci/run runs exactly this). From a fresh clone it installs
# what it needs, starts Redis, Mosquitto, Kafka and PostgreSQL on 127.0.0.1 (data in .run/), runs lint,
# typecheck and every test (unit, integration, end-to-end), and stops the services again.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
step() { echo "==> $*" >&2; }

bash scripts/setup.sh
step "lint and format check (biome)"
npx biome check .
step "typecheck (tsc)"
npx tsc --noEmit -p .

# The conformance kit's Python venv (test/conformance/kit.int.test.ts): made once from PyPI,
# about ten seconds, then reused from ~/.cache; here rather than inside a test's time limit.
step "conformance kit venv (Python, pinned packages from PyPI; cached)"
bash scripts/conformance-venv.sh >/dev/null || echo "conformance kit venv not made: its test will say why" >&2
step "test tools (Debian: valgrind, systemd-analyze; installed once)"
bash scripts/services.sh tools
step "starting Redis, Mosquitto, Kafka and PostgreSQL on 127.0.0.1"
trap 'bash scripts/services.sh down' EXIT
bash scripts/services.sh up
set -a; . .run/services.env; set +a

# Two runs: unit and integration suites in parallel, then the end-to-end suite alone (it kills
# and restarts processes and the broker, and its gateways publish on the shared list topics).
step "running tests: unit and integration"
status=0
rm -f .run/vitest-1.json .run/vitest-2.json
npx vitest run --project unit --project integration --reporter=default --reporter=json \
  --outputFile.json=.run/vitest-1.json "$@" || status=$?
step "running tests: end to end (real processes, a real browser for the console, k6 for the load scripts)"
bash scripts/browser.sh
# k6 for the load-script smoke test (test/e2e/k6-smoke.test.ts): built once, minutes, here
# rather than inside a test's time limit. The test builds it too when it is missing.
bash scripts/k6-build.sh >/dev/null || status=$?
npx vitest run --project e2e --reporter=default --reporter=json --outputFile.json=.run/vitest-2.json "$@" || status=$?
if [ $# -eq 0 ]; then
  # The suites whose assertions name a day, again with their clock just before a Beijing month
  # end and a UTC midnight: a test that passes only at some hours fails here, whatever the hour.
  step "running the day-sensitive suites at the instants a day turns over (scripts/test-clock.sh)"
  bash scripts/test-clock.sh || status=$?
fi
# One plain closing line that any CI reads: "N passed, N failed".
node -e '
  const fs = require("fs");
  let passed = 0, failed = 0, skipped = 0;
  for (const f of [".run/vitest-1.json", ".run/vitest-2.json"]) {
    if (!fs.existsSync(f)) { failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + (r.success || r.numFailedTests ? 0 : 1);
    skipped += r.numPendingTests + r.numTodoTests;
  }
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
'
exit $status
