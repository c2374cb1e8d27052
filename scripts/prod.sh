#!/usr/bin/env bash
# The production topology on one machine (make prod / make prod-stop):
#   nginx :8088 (hashes the sender, deploy/nginx/) -> 2 Rasa replicas :5011 :5012, each with its own
#   supervised action server :5061 :5062 (python -m bot.run) -> PostgreSQL :5432 + Redis :6379.
# Everything listens on 127.0.0.1. State, logs and pids in .state/prod/. docs/DEPLOY.md has the same
# topology for several machines.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PREFIX=$ROOT/.state/prod
PORT=${BRUJULA_PROD_PORT:-8088}
REPLICAS=${BRUJULA_PROD_REPLICAS:-2}
DB=${BRUJULA_PROD_DB:-brujula_prod}
REDIS_DB=${BRUJULA_PROD_REDIS_DB:-2}
PG_PORT=${BRUJULA_PROD_PG_PORT:-5432}        # another cluster (pg_createcluster) keeps faults away from others
REDIS_PORT=${BRUJULA_PROD_REDIS_PORT:-6379}
PY=$ROOT/.venv/bin/python

stop() {
  if [ -f "$PREFIX/nginx.pid" ]; then
    nginx -p "$PREFIX" -c "$PREFIX/nginx.conf" -s quit 2>/dev/null || true
    rm -f "$PREFIX/nginx.pid"
  fi
  for pidfile in "$PREFIX"/replica-*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true  # bot.run stops its Rasa and its action server
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    rm -f "$pidfile"
  done
  echo "Brújula production topology stopped."
}

if [ "${1:-start}" = stop ]; then stop; exit 0; fi

# nginx with njs (Debian packages), like the Makefile's browser target installs Chromium.
if ! command -v nginx >/dev/null || [ ! -f /usr/lib/nginx/modules/ngx_http_js_module.so ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx libnginx-mod-http-js >/dev/null
  else
    echo "Install nginx first: sudo apt-get install nginx libnginx-mod-http-js"; exit 1
  fi
fi
# PostgreSQL and Redis from this machine, started as .ci/run does if they are not running.
if ! pg_isready -q -h 127.0.0.1 -p "$PG_PORT" 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
fi
if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no
fi
psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1 \
  || psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -qc "CREATE DATABASE \"$DB\""

mkdir -p "$PREFIX/logs" "$PREFIX/tmp"
stop >/dev/null 2>&1 || true
export BRUJULA_STATE_DIR=$PREFIX BRUJULA_DB_HOST=127.0.0.1 BRUJULA_DB_PORT=$PG_PORT BRUJULA_DB_NAME=$DB \
  BRUJULA_DB_USER=postgres BRUJULA_DB_PASSWORD="" BRUJULA_REDIS_HOST=127.0.0.1 BRUJULA_REDIS_PORT=$REDIS_PORT \
  BRUJULA_REDIS_DB=$REDIS_DB BRUJULA_DESK_DB_URL=postgresql://postgres@127.0.0.1:$PG_PORT/$DB \
  BRUJULA_ACTION_URL=http://127.0.0.1:5061/webhook RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2
# One key for every replica (the pseudonymous ids must match): kept in .state/prod/ on this machine.
export BRUJULA_ID_KEY=${BRUJULA_ID_KEY:-$($PY -c "from bot import paths; print(paths.local_secret('id_key', lambda: __import__('secrets').token_hex(32), 'BRUJULA_ID_KEY'))")}

upstreams=""
for n in $(seq 1 "$REPLICAS"); do
  port=$((5010 + n)); action_port=$((5060 + n))
  nohup "$PY" -m bot.run --endpoints endpoints.production.yml --port "$port" --action-port "$action_port" \
    >"$PREFIX/logs/replica-$n.log" 2>&1 &
  echo $! >"$PREFIX/replica-$n.pid"
  upstreams+="        server 127.0.0.1:$port max_fails=0;"$'\n'
done

sed -e "s#@PREFIX@#$PREFIX#g" -e "s#@PORT@#$PORT#g" -e "s#@JS@#$ROOT/deploy/nginx/sticky.js#g" \
  deploy/nginx/brujula.conf.template | awk -v ups="$upstreams" '{ if ($0 == "@UPSTREAMS@") printf "%s", ups; else print }' \
  >"$PREFIX/nginx.conf"
nginx -t -q -p "$PREFIX" -c "$PREFIX/nginx.conf"
nginx -p "$PREFIX" -c "$PREFIX/nginx.conf"

echo "Waiting for $REPLICAS Rasa replicas (loading the model takes a while)..."
for n in $(seq 1 "$REPLICAS"); do
  for _ in $(seq 600); do
    curl -sf "http://127.0.0.1:$((5010 + n))/" >/dev/null && break
    kill -0 "$(cat "$PREFIX/replica-$n.pid")" 2>/dev/null || { echo "replica $n died: $PREFIX/logs/replica-$n.log"; exit 1; }
    sleep 1
  done
done
echo "Brújula production topology up: http://127.0.0.1:$PORT (nginx) -> replicas :5011..:$((5010 + REPLICAS))," \
     "PostgreSQL database $DB, Redis db $REDIS_DB. Logs: $PREFIX/logs. Stop: make prod-stop"
