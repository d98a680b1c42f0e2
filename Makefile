# Assistant CPOM — task runner. `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: help install system-packages axe app test test-fast test-llm llm lint fmt typecheck bench check index

help: ## list the targets
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the package with its dev tools

# System programs the tests drive for real; installed with apt-get when missing (root or sudo):
# chromium for the browser tests, PostgreSQL's server (initdb, pg_ctl) for the storage tests,
# npm to install axe-core for the accessibility tests.
PG_BIN ?= $(lastword $(sort $(wildcard /usr/lib/postgresql/*/bin)))
SYSTEM_PACKAGES := /usr/bin/chromium=chromium /usr/bin/npm=npm $(if $(PG_BIN),$(PG_BIN)/pg_ctl,/usr/lib/postgresql/15/bin/pg_ctl)=postgresql

system-packages: ## install the system packages the tests need (chromium, npm, postgresql) when missing
	scripts/system-packages.sh $(SYSTEM_PACKAGES)

index: $(STAMP) ## build or update index/ (no-op when nothing changed)
	$(BIN)/python -m assistant ingest

app: $(STAMP) ## run the app on http://127.0.0.1:7860 (builds the index on first run)
	$(BIN)/python app.py

# axe-core for the accessibility tests (tests/accessibility.py), at the version and integrity
# hash that tests/axe/package-lock.json pins (npm ci checks the hash); nothing is fetched at test time.
AXE_JS := tests/axe/node_modules/axe-core/axe.min.js

$(AXE_JS): tests/axe/package.json tests/axe/package-lock.json
	cd tests/axe && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $(AXE_JS)

axe: system-packages $(AXE_JS) ## install axe-core 4.14.1 (accessibility tests) into tests/axe/node_modules

test: $(STAMP) system-packages $(AXE_JS) ## type-check, then run the whole test suite, offline, one worker per core (installs chromium, postgresql, npm if missing, and axe-core)
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -q -n auto --dist loadfile

test-fast: $(STAMP) ## the tests without the slow and browser ones
	$(BIN)/python -m pytest -q -m "not slow and not browser and not llm"

LLM_STAMP := $(VENV)/.llm-installed
LLM_SIZE ?= 1.5b

$(LLM_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install -e ".[dev,llm]"
	touch $(LLM_STAMP)

llm: $(LLM_STAMP) ## local LLM: llama.cpp runtime (built once, ~4 min), 1.5B model in models/, one answer
	$(BIN)/python -m assistant.llm.local_model --size $(LLM_SIZE)
	$(BIN)/python -m assistant.llm.local_server --size $(LLM_SIZE)

test-llm: $(LLM_STAMP) ## integration tests with the real 0.5B model through the real server
	$(BIN)/python -m pytest -q -m llm

lint: $(STAMP) ## ruff check and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(STAMP) ## format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP) ## run the benchmarks (print figures)
	$(BIN)/python bench/run_all.py

typecheck: $(STAMP) ## mypy --strict on the package and app.py
	$(BIN)/python -m mypy

check: lint test ## lint, type-check and test
