#!/usr/bin/env bash
# Local service stack on loopback for development and tests: PostgreSQL, Redis, S3 (moto server)
# and an SMTP sink that keeps every message. Data lives under a throwaway folder.
#
#   infra/services.sh start    install what is missing (as root), start all four, print the env
#   infra/services.sh env      print the environment variables that point the app at them
#   infra/services.sh status   report each service
#   infra/services.sh stop     stop all four and delete the throwaway folder
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${MARKETPLACE_SERVICES_DIR:-${TMPDIR:-/tmp}/marketplace-services}
PG_PORT=${MARKETPLACE_PG_PORT:-55432}
REDIS_PORT=${MARKETPLACE_REDIS_PORT:-56379}
S3_PORT=${MARKETPLACE_S3_PORT:-55900}
SMTP_PORT=${MARKETPLACE_SMTP_PORT:-51025}
PY=${MARKETPLACE_PYTHON:-$ROOT/.venv/bin/python}

say() { printf '%s\n' "$*" >&2; }

pg_bin() {
  local found
  found=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -z $found ]] && command -v pg_ctl >/dev/null; then
    found=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
  fi
  [[ -n $found ]] && echo "$found"
}

install_missing() {
  local wanted=()
  [[ -n $(pg_bin) ]] || wanted+=(postgresql)
  command -v redis-server >/dev/null || wanted+=(redis-server)
  ((${#wanted[@]})) || return 0
  if [[ $(id -u) -ne 0 ]]; then
    say "missing: ${wanted[*]} (run as root to install them, or install them yourself)"
    exit 1
  fi
  say "installing ${wanted[*]}"
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${wanted[@]}" >/dev/null
}

as_pg() {
  # initdb refuses root: run PostgreSQL as the postgres user when we are root.
  if [[ $(id -u) -eq 0 ]]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local name=$1 port=$2
  for _ in $(seq 1 100); do port_open "$port" && return 0; sleep 0.1; done
  say "$name did not start on port $port (logs under $DIR)"
  exit 1
}

start_postgres() {
  local bin data=$DIR/postgres
  bin=$(pg_bin)
  if port_open "$PG_PORT"; then return 0; fi
  if [[ ! -f $data/PG_VERSION ]]; then
    mkdir -p "$data"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$data"
    chmod 700 "$data"
    as_pg "'$bin/initdb' -D '$data' -U postgres --auth=trust -E UTF8 --no-locale" \
      >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
  fi
  as_pg "'$bin/pg_ctl' -D '$data' -l '$data/log' -o \"-p $PG_PORT -k '$data' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200\" -w start >/dev/null"
  wait_port postgres "$PG_PORT"
  "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qtAc \
    "SELECT 1 FROM pg_database WHERE datname='marketplace'" | grep -q 1 ||
    "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres marketplace
}

start_redis() {
  port_open "$REDIS_PORT" && return 0
  mkdir -p "$DIR/redis"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$DIR/redis/pid" --logfile "$DIR/redis/log" --dir "$DIR/redis"
  wait_port redis "$REDIS_PORT"
}

start_python_service() {
  local name=$1 port=$2; shift 2
  port_open "$port" && return 0
  mkdir -p "$DIR/$name"
  nohup "$@" >"$DIR/$name/log" 2>&1 &
  echo $! >"$DIR/$name/pid"
  wait_port "$name" "$port"
}

print_env() {
  cat <<ENV
export DATABASE_URL=postgresql://postgres@127.0.0.1:$PG_PORT/marketplace
export REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
export S3_ENDPOINT_URL=http://127.0.0.1:$S3_PORT
export S3_BUCKET=marketplace-archive
export AWS_ACCESS_KEY_ID=testing
export AWS_SECRET_ACCESS_KEY=testing
export AWS_DEFAULT_REGION=eu-west-2
export SMTP_URL=smtp://127.0.0.1:$SMTP_PORT
export MARKETPLACE_SMTP_SINK_DIR=$DIR/smtp/messages
ENV
}

stop_pidfile() {
  local file=$1
  [[ -f $file ]] || return 0
  kill "$(cat "$file")" 2>/dev/null || true
  rm -f "$file"
}

cmd=${1:-status}
case $cmd in
  start)
    install_missing
    mkdir -p "$DIR"
    chmod 755 "$DIR" # the postgres user must reach its data folder inside
    start_postgres
    start_redis
    start_python_service s3 "$S3_PORT" "$ROOT/.venv/bin/moto_server" -H 127.0.0.1 -p "$S3_PORT"
    start_python_service smtp "$SMTP_PORT" "$PY" "$ROOT/infra/smtp_sink.py" \
      --port "$SMTP_PORT" --directory "$DIR/smtp/messages"
    say "services up under $DIR"
    print_env
    ;;
  env) print_env ;;
  status)
    for pair in "postgres:$PG_PORT" "redis:$REDIS_PORT" "s3:$S3_PORT" "smtp:$SMTP_PORT"; do
      if port_open "${pair#*:}"; then echo "${pair%%:*} up on 127.0.0.1:${pair#*:}"
      else echo "${pair%%:*} down"; fi
    done
    ;;
  stop)
    bin=$(pg_bin || true)
    if [[ -n $bin && -f $DIR/postgres/postmaster.pid ]]; then
      as_pg "'$bin/pg_ctl' -D '$DIR/postgres' -m immediate -w stop >/dev/null" || true
    fi
    stop_pidfile "$DIR/redis/pid"
    stop_pidfile "$DIR/s3/pid"
    stop_pidfile "$DIR/smtp/pid"
    rm -rf "$DIR"
    say "services stopped"
    ;;
  *) say "usage: $0 start|env|status|stop"; exit 2 ;;
esac
