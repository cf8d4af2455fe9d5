#!/usr/bin/env bash
# One command: set up, migrate, deploy the BPMN, load demo data and serve on http://127.0.0.1:5000
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export FLASK_APP=app
# The demo's secret key (signs the session cookie): a random one, made once, kept in the instance
# folder (git-ignored) so that the `flask` commands of the README find it too. Production sets
# SECRET_KEY in the environment instead; without either the application does not start.
INSTANCE=${INSTANCE_PATH:-instance}
mkdir -p "$INSTANCE"
if [ -z "${SECRET_KEY:-}" ] && [ ! -s "$INSTANCE/secret_key" ]; then
  (umask 077 && .venv/bin/python -c 'import secrets; print(secrets.token_hex(32))' \
    > "$INSTANCE/secret_key")
  echo "Clé secrète de démonstration créée : $INSTANCE/secret_key"
fi
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-5000}
if [ -z "${SMTP_HOST:-}" ] && [ -z "${NOTIFICATION_CHANNEL:-}" ]; then
  # no mail server for the demo: the notifications to centres are recorded on their cases
  # instead of failing against localhost:25 (set SMTP_HOST to send them)
  export NOTIFICATION_CHANNEL=journal
fi
.venv/bin/flask db upgrade
.venv/bin/flask processes deploy
.venv/bin/flask demo seed
# the statistics counters of a database made before they existed (cheap on the demo data)
.venv/bin/flask stats rebuild
echo
echo "Jeton d'API de l'agent de démonstration : $(.venv/bin/flask users token agent)"
echo "Jeton d'API de l'administrateur          : $(.venv/bin/flask users token admin)"
echo
echo "Application : http://$HOST:$PORT/   (documentation de l'API : http://$HOST:$PORT/api/v1/docs)"
if [ "${NOTIFICATION_CHANNEL:-}" = journal ]; then
  echo "Courriels : pas de serveur SMTP (SMTP_HOST), les notifications sont consignées dans l'historique des dossiers."
fi
echo
# The web server and the background worker (timers: deadlines and reminders; the outbox: the
# letters' PDF, the emails), stopped together: Ctrl-C or a TERM to this script stops both, and
# either one ending stops the other. One worker: SQLite serialises writers.
.venv/bin/flask timers run --loop &
WORKER=$!
.venv/bin/flask run --host "$HOST" --port "$PORT" &
SERVER=$!
trap 'kill "$WORKER" "$SERVER" 2>/dev/null; wait 2>/dev/null' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
wait -n "$WORKER" "$SERVER"
