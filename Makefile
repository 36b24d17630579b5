# calltouch — developer and analyst entry points. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test test-quick lint format browser bench bench-quick sample clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install calltouch (editable) with its dev extras

run: $(STAMP) ## Run the whole pipeline on the sample in data/sample and print the report
	$(BIN)/calltouch demo

lint: $(STAMP) ## Run ruff (lint and format check)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## Reformat the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint ## Run the linters and the whole test suite (the slow tests too)
	$(BIN)/python -m pytest -m 'slow or not slow'

test-quick: lint ## Run the linters and the quick tests only (plain pytest: a few minutes)
	$(BIN)/python -m pytest

# The browser tests (tests/test_html_report.py) look for these names, then /usr/bin/chromium.
CHROMIUM_NAMES    := chromium chromium-browser google-chrome google-chrome-stable
CHROMIUM_FALLBACK := /usr/bin/chromium

browser: ## Install headless Chromium and fonts for the HTML report tests (apt), unless found
	@found=""; for name in $(CHROMIUM_NAMES); do \
	  if command -v $$name >/dev/null 2>&1; then found=$$(command -v $$name); break; fi; \
	done; \
	if [ -z "$$found" ] && [ -x $(CHROMIUM_FALLBACK) ]; then found=$(CHROMIUM_FALLBACK); fi; \
	if [ -n "$$found" ]; then echo "Chromium found: $$found (nothing to install)"; exit 0; fi; \
	echo "No Chromium found: installing chromium and fonts-dejavu-core with apt-get"; \
	if ! command -v apt-get >/dev/null 2>&1; then \
	  echo "apt-get is not available: install Chromium with your package manager" >&2; exit 1; \
	fi; \
	sudo=""; if [ "$$(id -u)" != 0 ]; then sudo=sudo; fi; \
	$$sudo apt-get update && \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y --no-install-recommends \
	  chromium fonts-dejavu-core

BENCH_STAMP := $(VENV)/.installed-bench

$(BENCH_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

bench: $(BENCH_STAMP) ## Benchmark vs the scan floor, polars and pandas (1M/100k, 10M/1M; slow)
	$(BIN)/python bench/bench.py --sizes 1M/100k,10M/1M --formats parquet,csv --runs 3

bench-quick: $(BENCH_STAMP) ## The benchmark on 20k sessions / 2k calls, once (a smoke check)
	$(BIN)/python bench/bench.py --quick

sample: $(STAMP) ## Regenerate data/sample from its script (fixed seed)
	$(BIN)/python data/make_sample.py

clean: ## Remove the virtualenv, caches and build output
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis dist build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
