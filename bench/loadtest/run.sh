#!/usr/bin/env bash
# The load test: a throwaway PostgreSQL database, Redis as the cache, gunicorn as production
# runs it, all on 127.0.0.1; a generated company; then bench/loadtest/drive.py measures.
#
#   bench/loadtest/run.sh          every endpoint at LOAD_IDEAS ideas over LOAD_ASSETS assets
#   bench/loadtest/run.sh scale    the ROI endpoint at each of LOAD_SCALE_ASSETS catalogue sizes
#
# Everything it starts is stopped, and the database dropped, on exit, failure or Ctrl-C.
set -euo pipefail

MODE=${1:-all}
PY=${PY:-.venv/bin/python}
LOAD_IDEAS=${LOAD_IDEAS:-2000}
LOAD_ASSETS=${LOAD_ASSETS:-5000}
LOAD_SCALE_ASSETS=${LOAD_SCALE_ASSETS:-1000 20000}
LOAD_SEED=${LOAD_SEED:-1}
LOAD_USERS=${LOAD_USERS:-3}
LOAD_SECONDS=${LOAD_SECONDS:-20}
LOAD_WORKERS=${LOAD_WORKERS:-3}
LOAD_PORT=${LOAD_PORT:-8777}
LOAD_PG=${LOAD_PG:-postgres://postgres@127.0.0.1:5432}
LOAD_DB=${LOAD_DB:-valuechain_load}
LOAD_REDIS=${LOAD_REDIS:-redis://127.0.0.1:6379/13}
LOAD_DIR=${LOAD_DIR:-.loadtest}

export DATABASE_URL=$LOAD_PG/$LOAD_DB REDIS_URL=$LOAD_REDIS CELERY_TASK_ALWAYS_EAGER=true \
  DEBUG=false SECRET_KEY=load-test-only-not-a-secret AXES_ENABLED=false \
  THROTTLE_ANON=1000000/minute THROTTLE_AUTH=1000000/minute THROTTLE_USER=1000000/minute \
  LOG_LEVEL=WARNING MEDIA_ROOT=$PWD/$LOAD_DIR/media LOAD_URL=http://127.0.0.1:$LOAD_PORT \
  LOAD_IDEAS LOAD_ASSETS LOAD_USERS LOAD_SECONDS

server=""
stop_server() {
  if [ -n "$server" ]; then
    # gunicorn stops its workers on TERM; the group kill catches any it leaves behind
    kill -TERM "$server" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
sql() { psql -q -v ON_ERROR_STOP=1 "$LOAD_PG/postgres" -c "$1" > /dev/null; }
flush_cache() { "$PY" -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$LOAD_REDIS"; }
cleanup() {
  status=$?
  trap - EXIT INT TERM
  stop_server
  sql "DROP DATABASE IF EXISTS $LOAD_DB WITH (FORCE)" || true
  flush_cache || true
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_server() {
  # setsid: the server and its workers form their own process group, killed as one
  setsid "$PY" -m gunicorn valuechain.wsgi:application --bind "127.0.0.1:$LOAD_PORT" \
    --workers "$LOAD_WORKERS" --timeout 60 --access-logfile - > "$LOAD_DIR/server.log" 2>&1 &
  server=$!
  for _ in $(seq 60); do
    curl -fs "$LOAD_URL/ping/" > /dev/null && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.5
  done
  echo "gunicorn did not answer; see $LOAD_DIR/server.log" >&2
  tail -20 "$LOAD_DIR/server.log" >&2
  return 1
}

company() {  # ideas assets
  flush_cache
  "$PY" manage.py make_company --ideas "$1" --assets "$2" --seed "$LOAD_SEED" --replace
}

rm -rf "$LOAD_DIR" && mkdir -p "$LOAD_DIR"
sql "DROP DATABASE IF EXISTS $LOAD_DB WITH (FORCE)"
sql "CREATE DATABASE $LOAD_DB"
"$PY" manage.py migrate --noinput -v 0

if [ "$MODE" = scale ]; then
  files=()
  for assets in $LOAD_SCALE_ASSETS; do
    echo "== ROI at $LOAD_IDEAS ideas over $assets assets"
    company "$LOAD_IDEAS" "$assets"
    start_server
    LOAD_ASSETS=$assets "$PY" bench/loadtest/drive.py --phases trivial,roi \
      --json "$LOAD_DIR/scale-$assets.json"
    stop_server
    files+=("$LOAD_DIR/scale-$assets.json")
  done
  echo "== The ROI endpoint by catalogue size (ratio: p95 against the smallest catalogue's)"
  "$PY" bench/loadtest/drive.py --compare "${files[@]}"
else
  echo "== $LOAD_IDEAS ideas over $LOAD_ASSETS assets: gunicorn ($LOAD_WORKERS workers), PostgreSQL, Redis"
  company "$LOAD_IDEAS" "$LOAD_ASSETS"
  start_server
  "$PY" bench/loadtest/drive.py --json "$LOAD_DIR/results.json"
fi
