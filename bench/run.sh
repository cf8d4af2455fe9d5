#!/usr/bin/env bash
# One command for the benchmarks: writes bench/results/latest.json (about 5 minutes, 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash scripts/setup.sh --dev
exec .venv/bin/python -m bench "$@"
