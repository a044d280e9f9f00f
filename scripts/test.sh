#!/usr/bin/env bash
# The whole test suite: lint, Django checks, migrations check, translations check, pytest with
# coverage (browser tests in headless Chromium included). Starts a throwaway PostgreSQL cluster and
# redis-server on free loopback ports unless DATABASE_URL / REDIS_URL are given, and stops them on
# exit, failure included. Extra arguments go to pytest (e.g. `bash scripts/test.sh -k health`);
# `bash scripts/test.sh --exec CMD ...` runs CMD with the services up instead of the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

find_pg_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  ls /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1
}

# --- system packages -----------------------------------------------------------------------
missing=()
[ -n "${REDIS_URL:-}" ] || command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
[ -n "${DATABASE_URL:-}" ] || [ -n "$(find_pg_bin initdb)" ] || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test: missing system packages; install them with: apt-get install -y ${missing[*]}" >&2
  exit 2
fi

# --- project dependencies --------------------------------------------------------------------
make --no-print-directory .venv/.test node_modules/.installed
BIN=$ROOT/.venv/bin

# --- throwaway services ----------------------------------------------------------------------
TMP=$(mktemp -d /tmp/logistics-test.XXXXXX)
chmod 755 "$TMP"
PG_DATA="" PG_CTL="" PG_USER=""
cleanup() {
  local rc=$?
  if [ -n "$PG_DATA" ] && [ -f "$PG_DATA/postmaster.pid" ]; then
    ${PG_RUNAS:-} "$PG_CTL" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
  fi
  if [ -f "$TMP/redis.pid" ]; then kill "$(cat "$TMP/redis.pid")" 2>/dev/null || true; fi
  rm -rf "$TMP"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { "$BIN/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

if [ -z "${DATABASE_URL:-}" ]; then
  PG_CTL=$(find_pg_bin pg_ctl)
  INITDB=$(find_pg_bin initdb)
  PG_DATA=$TMP/pg
  PG_RUNAS=""
  mkdir -p "$PG_DATA" "$TMP/pgsock" "$TMP/pglog"
  if [ "$(id -u)" = 0 ]; then
    # initdb and postgres refuse to run as root: run them as an unprivileged user.
    PG_USER=$(id -u postgres >/dev/null 2>&1 && echo postgres || echo nobody)
    chown "$PG_USER" "$PG_DATA" "$TMP/pgsock" "$TMP/pglog"
    PG_RUNAS="runuser -u $PG_USER --"
  fi
  port=$(free_port)
  $PG_RUNAS "$INITDB" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$TMP/initdb.log" 2>&1 \
    || { cat "$TMP/initdb.log" >&2; exit 1; }
  $PG_RUNAS "$PG_CTL" -D "$PG_DATA" -l "$TMP/pglog/postgres.log" -w -t 60 start \
    -o "-p $port -k $TMP/pgsock -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    >/dev/null || { cat "$TMP/pglog/postgres.log" >&2; exit 1; }
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/logistics"
  "$BIN/python" -c "import psycopg2; c=psycopg2.connect(host='127.0.0.1', port=$port, user='postgres', dbname='postgres'); c.autocommit=True; c.cursor().execute('CREATE DATABASE logistics')"
  echo "test: PostgreSQL on 127.0.0.1:$port (throwaway)"
fi
if [ -z "${REDIS_URL:-}" ]; then
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile "$TMP/redis.pid" --dir "$TMP" --logfile "$TMP/redis.log"
  for _ in $(seq 50); do [ -f "$TMP/redis.pid" ] && break; sleep 0.1; done
  export REDIS_URL="redis://127.0.0.1:$port/0"
  echo "test: Redis on 127.0.0.1:$port (throwaway)"
fi

export DJANGO_SETTINGS_MODULE=logistics.settings.test
export LOGISTICS_VAR_DIR=$TMP/var

if [ "${1:-}" = "--exec" ]; then
  shift
  set +e
  "$@"
  exit $?
fi

echo "test: ruff"
"$BIN/ruff" check .
"$BIN/ruff" format --check .
echo "test: manage.py check"
"$BIN/python" manage.py check --fail-level WARNING
echo "test: migrations are complete"
"$BIN/python" manage.py makemigrations --check --dry-run
echo "test: translations are complete"
"$BIN/python" scripts/check_translations.py
echo "test: pytest"
set +e
"$BIN/python" -m pytest "$@"
rc=$?
set -e
exit $rc
