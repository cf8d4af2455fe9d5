#!/usr/bin/env bash
# One command: set up and run every test (lint, unit, workflows, service, integration) on SQLite, and the
# database tests (service, integration, Gherkin) again on PostgreSQL when TEST_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --dev
.venv/bin/ruff check .
pg_url=${TEST_DATABASE_URL:-}
echo "== tous les tests, SQLite"
mkdir -p reports
TEST_DATABASE_URL= .venv/bin/python -m pytest -q --cucumberjson=reports/cucumber.json "$@"
if [ -n "$pg_url" ]; then
  echo "== tests de services et d'intégration, PostgreSQL"
  TEST_DATABASE_URL="$pg_url" .venv/bin/python -m pytest -q tests/service tests/integration tests/bdd \
    --cucumberjson=reports/cucumber-postgresql.json "$@"
fi
