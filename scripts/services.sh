#!/usr/bin/env bash
# Starts and stops the real services the tests and the bench use, all on 127.0.0.1 with their
# data under .run/ (git-ignored), each from the configuration a city starts from (deploy/,
# rendered by scripts/deploy-render.sh, plus a few test-only lines at the end; decision 0200):
#   Redis      (Debian redis-server)            port $ONECARD_REDIS_PORT  (default 6390),
#              deploy/redis/redis.conf
#   Mosquitto  (Debian mosquitto, MQTT 5)       port $ONECARD_MQTT_PORT   (default 18830), TLS on
#              the next port; deploy/mosquitto/ (users and ACL, no anonymous)
#   Kafka      (Maven Central jars, KRaft)      port $ONECARD_KAFKA_PORT  (default 19092)
#   PostgreSQL (Debian postgresql-15)           port $ONECARD_PG_PORT     (default 55432),
#              deploy/postgresql/onecard.conf
# Usage: scripts/services.sh up [redis] [mosquitto] [kafka] [postgres]   (none named: all four)
#        scripts/services.sh stop <name>... | down | status | tools (what test/deploy/ needs)
# `up` installs what is missing (apt-get, Maven) and writes .run/services.env for the tests.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
run="$root/.run"
REDIS_PORT="${ONECARD_REDIS_PORT:-6390}"
MQTT_PORT="${ONECARD_MQTT_PORT:-18830}"
# TLS listener of the broker: 1000 above the plain one unless given (the next ports are other
# checkouts' plain ones).
MQTTS_PORT="${ONECARD_MQTTS_PORT:-$((MQTT_PORT + 1000))}"
KAFKA_PORT="${ONECARD_KAFKA_PORT:-19092}"
KAFKA_CPORT="${ONECARD_KAFKA_CONTROLLER_PORT:-19093}"
PG_PORT="${ONECARD_PG_PORT:-55432}"
# Largest MQTT packet the broker takes from anyone: the gateway's ONECARD_MAX_BATCH_BYTES
# (262144) + 4096 for the PUBLISH envelope (docs/decisions/0160). Raise both together.
MQTT_MAX_PACKET="${ONECARD_MQTT_MAX_PACKET_BYTES:-266240}"

log() { echo "[services] $*" >&2; }

wait_port() { # name port seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  log "$1 did not open port $2 within $3 s; its log: $run/$1/$1.log"
  tail -n 30 "$run/$1/$1.log" >&2 || true
  return 1
}

alive() { [ -f "$run/$1/pid" ] && kill -0 "$(cat "$run/$1/pid")" 2>/dev/null; }

apt_install() { # packages...
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

render() { bash "$root/scripts/deploy-render.sh" "$@"; }

# The shipped Redis configuration (deploy/redis/redis.conf, docs/decisions/0200), rendered under
# .run/redis/, then the lines only a test instance has: it daemonizes (no systemd) and logs to a
# file. Its persistence is the shipped one, rewrites and all (docs/decisions/0229).
render_redis() {
  render "$root/deploy/redis/redis.conf" BIND=127.0.0.1 PORT="$REDIS_PORT" DATA_DIR="$run/redis" \
    MAXMEMORY=0 REDIS_MODULE="$(bash "$root/scripts/redis-module.sh")" >"$run/redis/redis.conf"
  cat >>"$run/redis/redis.conf" <<CONF

# Test instance only (scripts/services.sh):
daemonize yes
supervised no
pidfile $run/redis/pid
logfile $run/redis/redis.log
CONF
}

start_redis() {
  alive redis && return 0
  apt_install redis-server
  mkdir -p "$run/redis"
  render_redis
  redis-server "$run/redis/redis.conf" >&2
  wait_port redis "$REDIS_PORT" 20
  log "redis on 127.0.0.1:$REDIS_PORT"
}

# The shipped broker configuration (deploy/mosquitto/), rendered under .run/mosquitto/: no
# anonymous access, a password file and an ACL built from parts (docs/decisions/0170). This
# script owns the parts "00-devices" (ACL patterns) and "10-services" (the users below); each
# gateway adds its device registry's part, each test suite its own gateway user.
MQTT_USERS=(onecard-admin gateway-1 gateway-2)

render_mosquitto() {
  local m="$run/mosquitto" certs
  certs="$(bash "$root/scripts/broker-certs.sh" "$run/certs")"
  mkdir -p "$m/passwd.d" "$m/acl.d"
  render "$root/deploy/mosquitto/mosquitto.conf" MQTT_PORT="$MQTT_PORT" MQTTS_PORT="$MQTTS_PORT" \
    BIND=127.0.0.1 CA_FILE="$certs/ca.crt" CERT_FILE="$certs/server.crt" KEY_FILE="$certs/server.key" \
    PASSWORD_FILE="$m/passwd" ACL_FILE="$m/acl" MAX_PACKET="$MQTT_MAX_PACKET" DATA_DIR="$m" \
    >"$m/mosquitto.conf"
  # Test instance only: stay the user who started it, so the data folder under .run/ stays
  # writable (as root, Mosquitto would switch to the user "mosquitto").
  printf '\n# Test instance only (scripts/services.sh):\nuser %s\n' "$(id -un)" >>"$m/mosquitto.conf"
  cp "$root/deploy/mosquitto/acl" "$m/acl.d/00-devices.acl"
  # Passwords kept across restarts (tests read them from services.env), made once per checkout.
  local u pw
  : >"$m/acl.d/10-services.acl.new"
  for u in "${MQTT_USERS[@]}"; do
    render "$root/deploy/mosquitto/gateway-user.acl" USER="$u" >>"$m/acl.d/10-services.acl.new"
  done
  mv "$m/acl.d/10-services.acl.new" "$m/acl.d/10-services.acl"
  if [ ! -s "$m/passwd.d/10-services.passwd" ]; then
    : >"$m/services.secrets"
    : >"$m/passwd.d/10-services.passwd.new"
    chmod 600 "$m/services.secrets" "$m/passwd.d/10-services.passwd.new"
    for u in "${MQTT_USERS[@]}"; do
      pw="$(openssl rand -base64 32 | tr '+/' '-_' | tr -d '=\n')"
      echo "$u=$pw" >>"$m/services.secrets"
      mosquitto_passwd -b "$m/passwd.d/10-services.passwd.new" "$u" "$pw"
    done
    mv "$m/passwd.d/10-services.passwd.new" "$m/passwd.d/10-services.passwd"
  fi
  local kind
  for kind in passwd acl; do
    cat "$m/$kind.d/"*."$kind" >"$m/$kind.new" && mv "$m/$kind.new" "$m/$kind"
  done
}

start_mosquitto() {
  alive mosquitto && return 0
  apt_install mosquitto
  mkdir -p "$run/mosquitto"
  render_mosquitto
  # Under a supervisor (scripts/mosquitto-supervise.sh), called as the broker's systemd unit
  # calls it: restarted if it dies, reloaded when its password or ACL file changes; it writes
  # the broker's pid to $run/mosquitto/pid.
  rm -f "$run/mosquitto/pid"
  nohup bash "$root/scripts/mosquitto-supervise.sh" "$run/mosquitto" "$run/mosquitto/mosquitto.conf" \
    >>"$run/mosquitto/supervisor.log" 2>&1 </dev/null &
  echo $! >"$run/mosquitto/supervisor.pid"
  wait_port mosquitto "$MQTT_PORT" 20
  log "mosquitto on 127.0.0.1:$MQTT_PORT (TLS $MQTTS_PORT), shipped config (no anonymous access)"
}

secret_of() { sed -n "s/^$1=//p" "$run/mosquitto/services.secrets"; }

start_kafka() {
  alive kafka && return 0
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  local jars
  jars="$(bash "$root/scripts/kafka/fetch.sh")"
  mkdir -p "$run/kafka"
  cat >"$run/kafka/server.properties" <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CPORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CPORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$run/kafka/data
num.partitions=4
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
CONF
  if [ ! -f "$run/kafka/data/meta.properties" ]; then
    local id
    id="$(java -cp "$jars/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)"
    java -cp "$jars/*" kafka.tools.StorageTool format -t "$id" -c "$run/kafka/server.properties" --standalone \
      >"$run/kafka/format.log" 2>&1
  fi
  nohup java -Xms512m -Xmx512m -cp "$jars/*" kafka.Kafka "$run/kafka/server.properties" \
    >"$run/kafka/kafka.log" 2>&1 &
  echo $! >"$run/kafka/pid"
  wait_port kafka "$KAFKA_PORT" 90
  log "kafka on 127.0.0.1:$KAFKA_PORT"
}

# PostgreSQL refuses to run as root: as root the cluster belongs to the 'postgres' user the
# Debian package creates, otherwise to whoever runs this. Data in .run/postgres/data, made once
# (initdb, trust on loopback only: a test instance); the socket stays in .run/postgres too.
pg_as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# The shipped settings (deploy/postgresql/onecard.conf, docs/decisions/0200) for a small test
# instance on loopback, included at the end of the cluster's postgresql.conf (as Debian's
# conf.d is): durability stays on, so a test that kills a writer sees what a crash would leave.
render_postgres() {
  local conf="$run/postgres/onecard.conf"
  render "$root/deploy/postgresql/onecard.conf" LISTEN=127.0.0.1 PORT="$PG_PORT" SHARED_BUFFERS=64MB \
    >"$conf"
  printf "\n# Test instance only (scripts/services.sh):\nunix_socket_directories = '%s'\n" \
    "$run/postgres" >>"$conf"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$conf"
  grep -qxF "include = '$conf'" "$run/postgres/data/postgresql.conf" ||
    echo "include = '$conf'" | pg_as tee -a "$run/postgres/data/postgresql.conf" >/dev/null
}

start_postgres() {
  alive postgres && return 0
  local bin
  bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
  if [ -z "$bin" ]; then apt_install postgresql-15; bin=/usr/lib/postgresql/15/bin; fi
  mkdir -p "$run/postgres"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$run/postgres"
  if [ ! -f "$run/postgres/data/PG_VERSION" ]; then
    pg_as "$bin/initdb" -D "$run/postgres/data" -U onecard --auth=trust -E UTF8 --no-locale \
      >"$run/postgres/initdb.log" 2>&1
  fi
  render_postgres
  pg_as "$bin/pg_ctl" -D "$run/postgres/data" -l "$run/postgres/postgres.log" -w -t 60 start >/dev/null
  head -n1 "$run/postgres/data/postmaster.pid" >"$run/postgres/pid"
  wait_port postgres "$PG_PORT" 30
  log "postgres on 127.0.0.1:$PG_PORT"
}

stop_one() {
  local name=$1
  # The broker's supervisor first, or it would start the broker again.
  # It stops the broker and removes the broker's pid file itself: wait for it to finish.
  if [ "$name" = mosquitto ] && [ -f "$run/mosquitto/supervisor.pid" ]; then
    local sup; sup="$(cat "$run/mosquitto/supervisor.pid" 2>/dev/null || true)"
    if [ -n "$sup" ]; then
      kill "$sup" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$sup" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$run/mosquitto/supervisor.pid"
  fi
  # SIGINT is PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
  local sig=TERM; [ "$name" = postgres ] && sig=INT
  [ -f "$run/$name/pid" ] || return 0
  local pid; pid="$(cat "$run/$name/pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -s "$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$run/$name/pid"
  log "$name stopped"
}

write_env() {
  mkdir -p "$run"
  {
    alive redis && echo "ONECARD_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
    alive mosquitto && echo "ONECARD_TEST_MQTT_URL=mqtt://127.0.0.1:$MQTT_PORT"
    alive mosquitto && echo "ONECARD_TEST_MOSQUITTO_CONF=$run/mosquitto/mosquitto.conf"
    if alive mosquitto; then
      # The shipped config's users and files (docs/decisions/0170); test/support/mqtt.ts reads them.
      echo "ONECARD_TEST_MQTTS_URL=mqtts://127.0.0.1:$MQTTS_PORT"
      echo "ONECARD_TEST_MQTT_CA_FILE=$run/certs/ca.crt"
      echo "ONECARD_TEST_MQTT_PASSWORD_FILE=$run/mosquitto/passwd"
      echo "ONECARD_TEST_MQTT_ACL_FILE=$run/mosquitto/acl"
      echo "ONECARD_TEST_MQTT_PID_FILE=$run/mosquitto/pid"
      echo "ONECARD_TEST_MQTT_ADMIN_USERNAME=onecard-admin"
      echo "ONECARD_TEST_MQTT_ADMIN_PASSWORD=$(secret_of onecard-admin)"
      echo "ONECARD_TEST_MQTT_GATEWAY_USERNAME=gateway-1"
      echo "ONECARD_TEST_MQTT_GATEWAY_PASSWORD=$(secret_of gateway-1)"
      echo "ONECARD_TEST_MQTT_GATEWAY2_USERNAME=gateway-2"
      echo "ONECARD_TEST_MQTT_GATEWAY2_PASSWORD=$(secret_of gateway-2)"
    fi
    alive kafka && echo "ONECARD_TEST_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
    alive postgres && echo "ONECARD_TEST_PG_URL=postgres://onecard@127.0.0.1:$PG_PORT/postgres"
    true # a service that is not running is simply left out, not an error
  } >"$run/services.env"
  chmod 600 "$run/services.env"
}

cmd="${1:-up}"; shift || true
want=("$@"); [ ${#want[@]} -eq 0 ] && want=(redis mosquitto kafka postgres)
case "$cmd" in
  up)
    for s in "${want[@]}"; do "start_$s"; done
    write_env
    ;;
  down)
    for s in postgres kafka mosquitto redis; do stop_one "$s"; done
    # The broker's users go with it (tests leave parts behind when they crash); new ones next up.
    # So do their sessions: devices' sessions never expire (docs/decisions/0170), and the
    # persisted ones of users that are gone would only pile up from run to run.
    rm -rf "$run/mosquitto/passwd.d" "$run/mosquitto/acl.d" "$run/mosquitto/mosquitto.db"
    # Kafka's topics too: every one is a test's or a bench run's own, and each keeps its logs and
    # preallocated index files until deleted. The next up formats an empty broker (seconds).
    rm -rf "$run/kafka/data"
    rm -f "$run/services.env"
    ;;
  stop)
    for s in "${want[@]}"; do stop_one "$s"; done
    write_env
    ;;
  status)
    for s in redis mosquitto kafka postgres; do alive "$s" && echo "$s up" || echo "$s down"; done
    ;;
  tools)
    # What test/deploy/ runs beside the services: valgrind (the broker under reloads,
    # mosquitto/reload.int.test.ts) and systemd-analyze (the units, systemd.int.test.ts).
    apt_install valgrind systemd
    ;;
  *) echo "usage: $0 up|stop|down|status|tools [redis] [mosquitto] [kafka] [postgres]" >&2; exit 2 ;;
esac
