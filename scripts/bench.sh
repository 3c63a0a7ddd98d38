#!/usr/bin/env bash
# npm run bench [-- --quick]: starts Redis, Mosquitto, Kafka and PostgreSQL (if not running), runs the benchmarks,
# prints progress on stderr and the figures as one JSON object on the last line of stdout; a full
# run (not --quick, --tap-path or --city) also writes them into README.md (scripts/readme-bench.ts).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
# The history figures and the city tap path (its relay, its history=postgres) need Kafka and
# PostgreSQL too, --tap-path included.
services=(redis mosquitto kafka postgres)
# Stop afterwards only what this run started.
status="$(bash scripts/services.sh status)"
started=()
for s in "${services[@]}"; do grep -q "$s up" <<<"$status" || started+=("$s"); done
if [ ${#started[@]} -gt 0 ]; then
  trap 'bash scripts/services.sh stop "${started[@]}"' EXIT
fi
bash scripts/services.sh up "${services[@]}"
set -a; . .run/services.env; set +a
mkdir -p .run/bench
# The figures are the last line; keep it, and a full run writes them into README.md.
node --import tsx load/bench/main.ts "$@" | tee .run/bench/output.txt
tail -n 1 .run/bench/output.txt >.run/bench/latest.json
# Only a full run of every figure: a part (--tap-path, --city) would replace the table with its
# own few keys (a full --city run once did).
case " $* " in
  *" --quick "* | *" --tap-path "* | *" --city "*) ;;
  *) node --import tsx scripts/readme-bench.ts .run/bench/latest.json ;;
esac
