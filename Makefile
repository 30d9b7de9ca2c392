# Ava: `make run` sets up and runs on the embedded default; `make test` sets up and runs the checks.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export NUMBA_CACHE_DIR ?= $(abspath $(VENV))/numba-cache

UI_STAMP := ui/node_modules/.ui-stamp
HAVE_NODE := $(shell command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && echo yes)

.PHONY: setup run demo serve test lint format bench catalogue clean ui system-deps

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

# The web UI (ui/, React + Vite) builds into src/ava_backtest/static, which `ava serve` serves at /.
# Without Node.js it is skipped and the server shows a "UI not built" page instead.
ifeq ($(wildcard ui/package.json),)
ui:
	@echo "ui/ not found: skipping the web UI build"
else ifneq ($(HAVE_NODE),yes)
ui:
	@echo "Node.js (node and npm) not found: skipping the web UI build; the server will show a"
	@echo "'UI not built' page at /. Install Node.js >= 20.19 and run 'make ui' to build it."
else
ui: $(UI_STAMP)
	cd ui && npm run build

# `npm ci` again when node_modules is missing or the lock file changed (the stamp lives inside
# node_modules, so removing node_modules removes it).
$(UI_STAMP): ui/package.json $(wildcard ui/package-lock.json)
	cd ui && npm ci --no-audit --no-fund
	@touch $@
endif

run: setup ui
	$(BIN)/ava backtest sma_crossover --universe us_sample
	@echo "Serving Ava on http://127.0.0.1:8201 (web UI at /, API docs at /docs); Ctrl-C stops it."
	$(BIN)/ava serve

demo: setup
	$(BIN)/ava backtest sma_crossover --universe us_sample

serve: setup
	$(BIN)/ava serve

lint: setup
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools

format: setup
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

test: lint
	@$(MAKE) --no-print-directory ui
ifeq ($(HAVE_NODE),yes)
	if [ -d ui ]; then cd ui && CI=true npm test; fi
endif
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

# Debian packages the tests use (chromium, nginx, docker-compose, tesseract-ocr, fonts), installed
# when missing (root or passwordless sudo); .ci/run does the same before `make test`.
system-deps:
	deploy/system-deps.sh

bench: setup
	$(BIN)/python bench/run.py

# Run every catalogue strategy with its defaults on the sample and write the catalogue page.
catalogue: setup
	$(BIN)/ava strategies report --write docs/strategies/README.md

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
