#!/usr/bin/env bash
# What `make test` runs: the local services up, lint, types, the whole suite, services down.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=.venv/bin

if [[ ! -x /usr/bin/chromium ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    echo "installing Debian's chromium for the browser tests"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "the browser tests need Debian's chromium (/usr/bin/chromium): install it as root" >&2
    exit 1
  fi
fi

export MARKETPLACE_SERVICES_DIR=${MARKETPLACE_SERVICES_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/marketplace-test.XXXXXX")}
trap 'infra/services.sh stop' EXIT
eval "$(infra/services.sh start)"

echo "== ruff format"; $BIN/ruff format --check .
echo "== ruff check"; $BIN/ruff check .
echo "== import contracts"; $BIN/lint-imports
echo "== mypy"; $BIN/mypy
# Three pytest processes (pytest-xdist), one file each at a time: the tests spend much of their
# time waiting on PostgreSQL, the browser and the servers they start, so three share two cores
# well. Each process has its own databases, Redis database and archive (tests/conftest.py).
echo "== pytest"; $BIN/pytest -q -p no:cacheprovider -n "${MARKETPLACE_TEST_PROCESSES:-3}" --dist loadfile --durations=25
