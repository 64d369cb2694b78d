# Care call-off marketplace. Two commands matter on a fresh machine:
#   make run    install, fetch front-end assets, migrate, load the demo, serve on 127.0.0.1:8000
#   make test   install, start the local services, run ruff, mypy and pytest, stop the services
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
PORT ?= 8000

.PHONY: install run test lint typecheck pytest services-up services-down lock clean bench mutation screenshots

install: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	@command -v uv >/dev/null || python3 -m pip install --quiet uv
	uv venv --quiet --allow-existing $(VENV)
	uv pip install --quiet --python $(BIN)/python --require-hashes -r requirements.lock
	uv pip install --quiet --python $(BIN)/python --no-deps -e .
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

run: install
	$(BIN)/marketplace collectstatic
	$(BIN)/marketplace migrate
	$(BIN)/marketplace demo
	$(BIN)/marketplace run --port $(PORT)

test: install
	infra/test.sh

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

# Benchmarks (bench/): figures are ratios against a baseline timed in the same run.
bench: install
	$(BIN)/python -m bench

# Mutation testing of the pure rule modules against the unit tests (docs/mutation.md). Minutes
# long, so not part of `make test`; run it before resolving.
mutation: install
	infra/mutation.sh

# The README's screenshots (docs/screenshots/), taken in Debian's Chromium on a fresh demo. Run it
# when the pages change; the tests never do.
screenshots: install
	$(BIN)/python infra/screenshots.py

lock:
	uv pip compile pyproject.toml --generate-hashes --extra dev --quiet -o requirements.lock
	npm install --package-lock-only --no-audit --no-fund

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache mutants
