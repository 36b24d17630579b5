# calltouch — developer and analyst entry points. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test lint format bench sample clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

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

test: lint ## Run the linters and the whole test suite
	$(BIN)/python -m pytest

sample: $(STAMP) ## Regenerate data/sample from its script (fixed seed)
	$(BIN)/python data/make_sample.py

clean: ## Remove the virtualenv, caches and build output
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis dist build
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
