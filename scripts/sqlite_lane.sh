#!/usr/bin/env bash
# CI's SQLite lane: the run command's setup on the embedded defaults (fresh var/ directory), then
# web + worker + beat started as `make run` starts them, /healthz, the login page, and every page
# of the navigation opened as each demo login must answer without a server error.
set -euo pipefail
cd "$(dirname "$0")/.."
unset DATABASE_URL REDIS_URL DJANGO_SETTINGS_MODULE
LANE=$(mktemp -d /tmp/logistics-lane.XXXXXX)
export LOGISTICS_VAR_DIR=$LANE/var
export LOGISTICS_PORT=${LOGISTICS_PORT:-8000}
export PATH=$PWD/.venv/bin:$PATH
pid=""
cleanup() {
  local rc=$?
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  if [ $rc -ne 0 ] && [ -f "$LANE/run.log" ]; then echo "--- run log (tail) ---"; tail -n 60 "$LANE/run.log"; fi
  rm -rf "$LANE"
  exit $rc
}
trap cleanup EXIT

echo "lane: setup on the embedded defaults"
started=$(date +%s)
make --no-print-directory setup
echo "lane: setup took $(( $(date +%s) - started ))s"
.venv/bin/honcho start -f Procfile >"$LANE/run.log" 2>&1 &
pid=$!
for _ in $(seq 90); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$LOGISTICS_PORT/healthz" || true)
  [ "$code" = 200 ] && break
  kill -0 "$pid" 2>/dev/null || { echo "lane: the processes stopped" >&2; exit 1; }
  sleep 2
done
echo "lane: /healthz answered $code"
.venv/bin/python scripts/smoke_pages.py "http://127.0.0.1:$LOGISTICS_PORT"
