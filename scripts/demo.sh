#!/usr/bin/env bash
# npm run demo [-- --seconds N]: installs what is missing, then runs scripts/demo.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node --import tsx scripts/demo.ts "$@"
