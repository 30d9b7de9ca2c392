# Ava: `make run` sets up and runs on the embedded default; `make test` sets up and runs the checks.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export NUMBA_CACHE_DIR ?= $(abspath $(VENV))/numba-cache

.PHONY: setup run demo serve test lint format bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/ava backtest sma_crossover --universe us_sample
	@echo "Serving the API on http://127.0.0.1:8201 (docs at /docs); Ctrl-C stops it."
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
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
