#!/usr/bin/env bash
# A local Redis Cluster: 3 masters + 3 replicas (Debian redis-server, --cluster-enabled yes) on
# six consecutive ports from <first-port>, data under .run/redis-cluster-<first-port>/ (or
# $ONECARD_RUN_DIR/redis-cluster-<first-port>/). docs/decisions/0193.
# Usage: scripts/redis-cluster.sh up <first-port>     prints the seed list host:port,...
#        scripts/redis-cluster.sh down <first-port>
# Each node from the shipped configuration (deploy/redis/redis.conf and cluster.conf), as
# services.sh's single Redis: appendfsync always (a tap is acked after its commit is on disk).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cmd="${1:-}"
first="${2:-}"
if [[ ! "$cmd" =~ ^(up|down)$ || ! "$first" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 up|down <first-port>" >&2
  exit 2
fi
dir="${ONECARD_RUN_DIR:-$root/.run}/redis-cluster-$first"
ports=$(seq "$first" $((first + 5)))
log() { echo "[redis-cluster] $*" >&2; }

apt_install() { # packages...
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

if [ "$cmd" = down ]; then
  for p in $ports; do
    pidf="$dir/$p/pid"
    if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then kill "$(cat "$pidf")"; fi
  done
  for p in $ports; do
    pidf="$dir/$p/pid"
    for _ in $(seq 50); do [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null || break; sleep 0.1; done
  done
  rm -rf "$dir"
  log "stopped the cluster on $first..$((first + 5))"
  exit 0
fi

apt_install redis-server redis-tools
mkdir -p "$dir"
addrs=()
for p in $ports; do
  mkdir -p "$dir/$p"
  # The shipped node configuration (deploy/redis/redis.conf + cluster.conf, decision 0200), then
  # what only a test node differs in, as services.sh's single Redis.
  bash "$root/scripts/deploy-render.sh" "$root/deploy/redis/redis.conf" BIND=127.0.0.1 PORT="$p" \
    DATA_DIR="$dir/$p" MAXMEMORY=0 REDIS_MODULE="$(bash "$root/scripts/redis-module.sh")" >"$dir/$p/redis.conf"
  bash "$root/scripts/deploy-render.sh" "$root/deploy/redis/cluster.conf" REDIS_CONF="$dir/$p/redis.conf" \
    DATA_DIR="$dir/$p" >"$dir/$p/cluster.conf"
  cat >>"$dir/$p/cluster.conf" <<CONF

# Test instance only (scripts/redis-cluster.sh):
daemonize yes
supervised no
pidfile $dir/$p/pid
logfile $dir/$p/redis.log
cluster-node-timeout 2000
CONF
  redis-server "$dir/$p/cluster.conf" >&2
  addrs+=("127.0.0.1:$p")
done
for p in $ports; do
  for i in $(seq 100); do
    redis-cli -p "$p" ping >/dev/null 2>&1 && break
    [ "$i" = 100 ] && { log "redis on $p did not start: $dir/$p/redis.log"; exit 1; }
    sleep 0.1
  done
done
# The first three become masters, the other three their replicas.
redis-cli --cluster create "${addrs[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 ||
  { cat "$dir/create.log" >&2; exit 1; }
for i in $(seq 200); do
  ok=1
  for p in $ports; do
    redis-cli -p "$p" cluster info 2>/dev/null | grep -q 'cluster_state:ok' || ok=0
  done
  [ "$ok" = 1 ] && break
  [ "$i" = 200 ] && { log "the cluster did not reach state ok"; exit 1; }
  sleep 0.1
done
# Every replica linked to its master and in sync: a write that waits for one (WAIT 1,
# docs/decisions/0194) must find it there, however slow the machine is today.
for i in $(seq 600); do
  ok=1
  for p in $ports; do
    info="$(redis-cli -p "$p" info replication 2>/dev/null)"
    case "$info" in
      *role:master*) grep -q 'state=online' <<<"$info" || ok=0 ;;
      *role:slave*) grep -q 'master_link_status:up' <<<"$info" || ok=0 ;;
      *) ok=0 ;;
    esac
  done
  [ "$ok" = 1 ] && break
  [ "$i" = 600 ] && { log "the replicas did not come in sync"; exit 1; }
  sleep 0.1
done
log "cluster up on 127.0.0.1:$first..$((first + 5))"
(IFS=,; echo "${addrs[*]}")
