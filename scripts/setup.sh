#!/usr/bin/env bash
# Create .venv and install the pinned dependencies (runtime, or runtime + tests with --dev).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
req=requirements.txt
[ "${1:-}" = "--dev" ] && req=requirements-dev.txt
stamp=".venv/.installed-$(sha256sum requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)-$(basename "$req")"
if [ ! -f "$stamp" ]; then
  # (this machine's pip config names local mirrors that may be absent: drop those warnings)
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req" \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  touch "$stamp"
fi

# The letters' PDF (WeasyPrint, services/letters): Pango, HarfBuzz and a font, from Debian.
LETTER_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core"
if ! dpkg -s $LETTER_PACKAGES >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $LETTER_PACKAGES) \
      >/dev/null || echo "ERREUR : les paquets des courriers PDF n'ont pas pu être installés" \
                        "($LETTER_PACKAGES) ; les courriers ne pourront pas être produits." >&2
  else
    echo "ERREUR : installez $LETTER_PACKAGES (sudo apt-get install), sinon les courriers PDF" \
         "ne pourront pas être produits." >&2
  fi
fi

# Front-end assets (DSFR, bpmn-js, dmn-js, Chart.js, axe-core) from npm, pinned by package-lock.json;
# installed again whenever the lock file changes. Nothing is copied into the repository.
lock_stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -f "$lock_stamp" ]; then
  if ! command -v npm >/dev/null; then
    echo "ERREUR : npm est introuvable ; installez Node.js et npm (apt-get install -y npm)." >&2
    exit 1
  fi
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null \
    2> >(grep -v "Unknown user config" >&2)
  touch "$lock_stamp"
fi

# Browser tests (--dev): Debian's Chromium, driven headless by Playwright (never `playwright
# install`). When it cannot be installed the browser tests fail, loudly.
if [ "${1:-}" = "--dev" ] && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
      >/dev/null || echo "ERREUR : Chromium n'a pas pu être installé (apt-get install chromium) ;" \
                        "les tests du navigateur échoueront." >&2
  else
    echo "ERREUR : /usr/bin/chromium est absent ; installez-le (sudo apt-get install chromium)," \
         "sinon les tests du navigateur échoueront." >&2
  fi
fi
