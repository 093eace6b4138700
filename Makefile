# The front door. `make help` lists the targets; `make demo` and `make test` do all the set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.DEFAULT_GOAL := help
.PHONY: help setup system-deps notebook-filter sync-notebooks demo test lab bench lint clean

## Show this help
help:
	@awk '/^## /{doc=substr($$0,4); next} /^[a-z-]+:/{if(doc){split($$1,t,":"); printf "  make %-16s %s\n", t[1], doc}; doc=""}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

## Create .venv (package + dependencies), the system tools for PDF, the notebook git filter
setup: $(STAMP) system-deps notebook-filter

## Install headless Chromium and poppler (PDF printing and checks) when missing
system-deps:
	@bash tools/system-deps.sh

## Strip notebook outputs on `git add` (git filter from .gitattributes; only in a git checkout)
notebook-filter: $(STAMP)
	@bash tools/notebook-filter.sh $(PY)

## After editing a notebook (.ipynb or its paired .py), bring the other file up to date
sync-notebooks: $(STAMP)
	$(VENV)/bin/jupytext --sync notebooks/*.ipynb

## Make the demo study's data and render every agency's report (HTML + PDF) and the index
demo: setup
	$(PY) -m analysis demo

## Run the whole test suite (fails if no test ran)
test: setup
	@$(PY) -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; \
	exit $$status

## Open JupyterLab on the notebooks at 127.0.0.1 (prints the address with its token)
lab: $(STAMP) notebook-filter
	@$(PY) tools/lab.py

## Run every benchmark in bench/ (figures also in reports/bench/<name>.json)
bench: setup
	@for script in bench/bench_*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

## Check code style with ruff
lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench tools
	$(VENV)/bin/ruff format --check src tests bench tools

## Remove generated data and reports (raw demo data, processed data, reports)
clean:
	rm -rf data/raw/demo data/processed/* reports/*
	@touch data/processed/.gitkeep reports/.gitkeep
