#!/usr/bin/env bash
# One command for the benchmarks: writes bench/results/latest.json (under 10 minutes, 2 cores).
# BENCH_PG_URL (an admin URL, default the local server) adds the PostgreSQL read paths in the
# databases bench_large and bench_http, dropped and recreated; BENCH_PG_URL= skips them.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash scripts/setup.sh --dev
# the load tool (locust) lives in its own virtualenv, reinstalled when its pin changes
venv=bench/.venv-load
if [ ! -x "$venv/bin/locust" ] || ! cmp -s bench/requirements.txt "$venv/requirements.txt"; then
  rm -rf "$venv"
  .venv/bin/python -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements.txt
  cp bench/requirements.txt "$venv/requirements.txt"
fi
export BENCH_PG_URL=${BENCH_PG_URL-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
exec .venv/bin/python -m bench "$@"
