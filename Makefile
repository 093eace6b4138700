# The front door. `make help` lists the targets; `make demo` and `make test` do all the set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help setup system-deps demo test lab bench lint clean

## Show this help
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-z-]+:/{if(doc){split($$1,t,":"); printf "  make %-12s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## Create .venv with the package and its dependencies, and the system tools for PDF
setup: $(STAMP) system-deps

## Install headless Chromium and poppler (PDF printing and checks) when missing
system-deps:
	@bash tools/system-deps.sh

## Make the demo study's data and render every agency's report (HTML + PDF) and the index
demo: setup
	$(PY) -m analysis demo

## Run the whole test suite (fails if no test ran)
test: setup
	@$(PY) -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; \
	exit $$status

## Open JupyterLab on the notebooks (installs JupyterLab into .venv on first use)
lab: $(STAMP)
	@$(PY) -c "import jupyterlab" 2>/dev/null || $(PY) -m pip install --quiet -e '.[lab]'
	$(VENV)/bin/jupyter lab notebooks/

## Run every benchmark in bench/ (figures also in reports/bench/<name>.json)
bench: setup
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

## Check code style with ruff
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

## Remove generated data and reports (raw demo data, processed data, reports)
clean:
	rm -rf data/raw/demo data/processed/* reports/*
	@touch data/processed/.gitkeep reports/.gitkeep
