#!/usr/bin/env bash
# Supervises the broker, for the tests (scripts/services.sh) and in production
# (deploy/systemd/onecard-mosquitto.service): Mosquitto in the foreground, started again if it
# dies. Every half second it builds the password and ACL files from their parts
# (<file>.d/*, written by services.sh, the gateways' registry sync and test suites) and reloads
# the broker (SIGHUP) when either changed. One builder, so two writers can never race each other
# into a file without the other's part; a storm of enrolments is one reload per half second,
# not one per device (Mosquitto 2.0.11 was seen to crash under a storm: docs/decisions/0170).
# Usage: mosquitto-supervise.sh <dir with passwd, acl and their .d/ parts> [<mosquitto.conf>]
#   (default <dir>/mosquitto.conf); writes the broker's pid to <dir>/pid. The tests run it on
#   .run/mosquitto/; deploy/systemd/onecard-mosquitto.service on /var/lib/onecard/broker with
#   /etc/onecard/mosquitto/mosquitto.conf.
set -u
dir=$1
conf=${2:-$dir/mosquitto.conf}
child=
stop() {
  [ -n "$child" ] && kill "$child" 2>/dev/null && wait "$child" 2>/dev/null
  rm -f "$dir/pid"
  exit 0
}
trap stop TERM INT
shopt -s nullglob
# Rebuilds one file from its parts (sorted by name), replacing it only when it differs.
build() { # file ext
  local parts=("$1.d/"*"$2")
  cat "${parts[@]}" /dev/null >"$1.build" 2>/dev/null || return 0
  if cmp -s "$1.build" "$1"; then rm -f "$1.build"; else chmod 600 "$1.build"; mv "$1.build" "$1"; fi
}
digest() {
  build "$dir/passwd" .passwd
  build "$dir/acl" .acl
  cat "$dir/passwd" "$dir/acl" 2>/dev/null | md5sum
}
while true; do
  loaded=$(digest)
  mosquitto -c "$conf" &
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
