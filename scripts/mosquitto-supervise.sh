#!/usr/bin/env bash
# Runs the test broker for scripts/services.sh the way deploy/ expects a supervisor to
# (systemd: Restart=always plus a reload on file change): Mosquitto in the foreground, started
# again if it dies, and reloaded (SIGHUP) when its password or ACL file changed, at most twice
# a second. Writers (the gateways' registry sync, test suites) only rewrite the files: a storm
# of enrolments is one reload per half second, not one per device. Mosquitto 2.0.11 was seen to
# crash under a storm of reloads (docs/decisions/0170).
# Usage: mosquitto-supervise.sh <run dir with mosquitto.conf, passwd, acl>; writes <dir>/pid.
set -u
dir=$1
child=
stop() {
  [ -n "$child" ] && kill "$child" 2>/dev/null && wait "$child" 2>/dev/null
  rm -f "$dir/pid"
  exit 0
}
trap stop TERM INT
digest() { cat "$dir/passwd" "$dir/acl" 2>/dev/null | md5sum; }
while true; do
  loaded=$(digest)
  mosquitto -c "$dir/mosquitto.conf" &
  child=$!
  echo "$child" >"$dir/pid"
  while kill -0 "$child" 2>/dev/null; do
    sleep 0.5 &
    wait $!
    now=$(digest)
    if [ "$now" != "$loaded" ]; then
      loaded=$now
      kill -HUP "$child" 2>/dev/null
    fi
  done
  wait "$child"
  echo "$(date -u +%FT%TZ) mosquitto exited with $?: started again" >&2
  sleep 0.2
done
