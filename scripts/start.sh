#!/usr/bin/env bash
# One command: set up, migrate, deploy the BPMN, load demo data and serve on http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FLASK_APP=app
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5000}
.venv/bin/flask db upgrade
.venv/bin/flask processes deploy
.venv/bin/flask demo seed
echo
echo "Jeton d'API de l'agent de démonstration : $(.venv/bin/flask users token agent)"
echo "Jeton d'API de l'administrateur          : $(.venv/bin/flask users token admin)"
echo
echo "Application : http://$HOST:$PORT/   (documentation de l'API : http://$HOST:$PORT/api/v1/docs)"
echo
exec .venv/bin/flask run --host "$HOST" --port "$PORT"
