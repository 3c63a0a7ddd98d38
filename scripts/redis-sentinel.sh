#!/usr/bin/env bash
# A Redis primary with replicas under three Sentinels (Debian redis-server + redis-sentinel),
# data under .run/redis-sentinel-<redis-port>/ (or $ONECARD_RUN_DIR/...). docs/decisions/0194.
# Usage: scripts/redis-sentinel.sh up <redis-port> <sentinel-port> [replicas]
#          Redis on <redis-port> (primary) and the next [replicas] ports (default 1), Sentinels
#          on <sentinel-port>..+2; prints "<sentinels host:port,...> <master name>".
#        scripts/redis-sentinel.sh down <redis-port> <sentinel-port> [replicas]
# With one replica, a failover leaves the new primary without one: commits that wait for a
# replica (ONECARD_REDIS_WAIT_REPLICAS=1) fail until the old primary is back (it rejoins as a
# replica). Two replicas keep writing through one failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cmd="${1:-}"
rport="${2:-}"
sport="${3:-}"
replicas="${4:-1}"
if [[ ! "$cmd" =~ ^(up|down)$ || ! "$rport" =~ ^[0-9]+$ || ! "$sport" =~ ^[0-9]+$ || ! "$replicas" =~ ^[0-9]$ ]]; then
  echo "usage: $0 up|down <redis-port> <sentinel-port> [replicas]" >&2
  exit 2
fi
master="${ONECARD_SENTINEL_MASTER:-onecard}"
dir="${ONECARD_RUN_DIR:-$root/.run}/redis-sentinel-$rport"
rports=$(seq "$rport" $((rport + replicas)))
sports=$(seq "$sport" $((sport + 2)))
log() { echo "[redis-sentinel] $*" >&2; }

apt_install() { # packages...
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

wait_ping() { # port
  for i in $(seq 100); do
    redis-cli -p "$1" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  log "nothing answers on $1 (logs under $dir)"
  return 1
}

if [ "$cmd" = down ]; then
  for p in $sports $rports; do
    for f in "$dir/s$p/pid" "$dir/$p/pid"; do
      if [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; then kill "$(cat "$f")"; fi
    done
  done
  sleep 0.3
  rm -rf "$dir"
  log "stopped"
  exit 0
fi

apt_install redis-server redis-sentinel
mkdir -p "$dir"
render() { bash "$root/scripts/deploy-render.sh" "$@"; }
# Redis nodes from the shipped configuration (deploy/redis/, decision 0200): the first is the
# primary, the others start from replica.conf; test-only lines at the end, as services.sh's
# single Redis has them. `start-<port>.sh` is kept in the folder so a node that was killed can
# be started again exactly as it was.
for p in $rports; do
  mkdir -p "$dir/$p"
  render "$root/deploy/redis/redis.conf" BIND=127.0.0.1 PORT="$p" DATA_DIR="$dir/$p" MAXMEMORY=0 REDIS_MODULE="$(bash "$root/scripts/redis-module.sh")" \
    >"$dir/$p/redis.conf"
  conf="$dir/$p/redis.conf"
  if [ "$p" != "$rport" ]; then
    render "$root/deploy/redis/replica.conf" REDIS_CONF="$dir/$p/redis.conf" PRIMARY_HOST=127.0.0.1 \
      PRIMARY_PORT="$rport" >"$dir/$p/replica.conf"
    conf="$dir/$p/replica.conf"
  fi
  cat >>"$conf" <<CONF

# Test instance only (scripts/redis-sentinel.sh):
daemonize yes
supervised no
pidfile $dir/$p/pid
logfile $dir/$p/redis.log
CONF
  echo "exec redis-server $conf" >"$dir/start-$p.sh"
  bash "$dir/start-$p.sh" >&2
done
for p in $rports; do wait_ping "$p"; done
# Sentinels: quorum 2 of 3; in the tests a primary silent for 1 s is down (a test kills it and
# waits), and a failover is retried after 5 s.
for p in $sports; do
  mkdir -p "$dir/s$p"
  render "$root/deploy/redis/sentinel.conf" BIND=127.0.0.1 PORT="$p" DATA_DIR="$dir/s$p" \
    MASTER="$master" PRIMARY_HOST=127.0.0.1 PRIMARY_PORT="$rport" QUORUM=2 >"$dir/s$p/sentinel.conf"
  cat >>"$dir/s$p/sentinel.conf" <<CONF

# Test instance only (scripts/redis-sentinel.sh):
daemonize yes
supervised no
pidfile $dir/s$p/pid
logfile $dir/s$p/sentinel.log
sentinel down-after-milliseconds $master 1000
sentinel failover-timeout $master 5000
CONF
  redis-sentinel "$dir/s$p/sentinel.conf" >&2
done
for p in $sports; do wait_ping "$p"; done
# Ready once every Sentinel sees all the replicas and the two other Sentinels (hello messages
# go every 2 s): before that no quorum could elect a leader to fail over.
field() { # sentinel-port field: a field of SENTINEL MASTER
  redis-cli -p "$1" sentinel master "$master" 2>/dev/null | grep -A1 -x "$2" | tail -n 1
}
for i in $(seq 300); do
  ok=1
  for p in $sports; do
    [ "$(field "$p" num-slaves)" -ge "$replicas" ] 2>/dev/null || ok=0
    [ "$(field "$p" num-other-sentinels)" -ge 2 ] 2>/dev/null || ok=0
  done
  [ "$ok" = 1 ] && break
  [ "$i" = 300 ] && { log "the Sentinels did not see $replicas replica(s) and each other within 30 s"; exit 1; }
  sleep 0.1
done
# And the primary sees every replica online (in sync): a write that waits for one (WAIT,
# docs/decisions/0194) must find them there, however slow the machine is today.
for i in $(seq 600); do
  [ "$(redis-cli -p "$rport" info replication 2>/dev/null | grep -c 'state=online')" -ge "$replicas" ] && break
  [ "$i" = 600 ] && { log "the replicas did not come in sync within 60 s"; exit 1; }
  sleep 0.1
done
log "primary 127.0.0.1:$rport, $replicas replica(s), Sentinels on $sport..$((sport + 2))"
echo "127.0.0.1:$sport,127.0.0.1:$((sport + 1)),127.0.0.1:$((sport + 2)) $master"
