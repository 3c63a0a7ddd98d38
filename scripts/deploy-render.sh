#!/usr/bin/env bash
# Renders one deploy/ template: every @NAME@ replaced by the value given as NAME=value, the
# result on stdout. Refuses a template that still has a placeholder nobody gave (a config with
# "@PORT@" in it would start and listen somewhere else, or not at all) and a NAME the template
# does not have (a typo would otherwise pass unnoticed). scripts/services.sh and
# scripts/redis-sentinel.sh render the test services' configs with it; a city renders its own
# the same way (docs/operations.md, docs/decisions/0200).
# Usage: scripts/deploy-render.sh <template> NAME=value...
set -euo pipefail
# bash 5.2 would put the matched text where a value has "&" (a password, a URL): not here.
shopt -u patsub_replacement 2>/dev/null || true
template=${1:?usage: deploy-render.sh <template> NAME=value...}
shift
text="$(cat "$template"; echo x)"
text="${text%x}"
for pair in "$@"; do
  name="${pair%%=*}"
  value="${pair#*=}"
  if [[ ! "$name" =~ ^[A-Z][A-Z0-9_]*$ || "$pair" != *=* ]]; then
    echo "deploy-render: '$pair' is not NAME=value" >&2
    exit 2
  fi
  if [[ "$text" != *"@$name@"* ]]; then
    echo "deploy-render: $template has no @$name@" >&2
    exit 2
  fi
  text="${text//"@$name@"/$value}"
done
left="$(grep -o '@[A-Z][A-Z0-9_]*@' <<<"$text" | sort -u | tr '\n' ' ' || true)"
if [ -n "$left" ]; then
  echo "deploy-render: $template: no value for $left" >&2
  exit 2
fi
printf '%s' "$text"
