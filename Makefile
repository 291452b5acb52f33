# PrepSite: `make run` serves the app, `make test` runs every check. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := run

# The first of these that is Python 3.12 or newer (Django 6.1 needs it).
PYTHON := $(shell for p in python3.13 python3.12 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
CHROMIUM := /usr/bin/chromium

.PHONY: run test lint format assets chromium wrk migrate bench soak screenshots check-python clean eval

check-python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "PrepSite needs Python 3.12 or newer (Django 6.1 requires it)."; \
		echo "Install python3.12 (or use pyenv: 'pyenv install 3.12'), then run make again."; \
		exit 1; fi

$(BIN)/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

# KaTeX (and axe-core for the accessibility tests) come from npm, pinned in
# package-lock.json, and are copied into static/vendor/: nothing loads from a CDN.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for KaTeX: apt-get install nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/katex/katex.min.js: node_modules/.installed
	rm -rf static/vendor/katex && mkdir -p static/vendor/katex
	cp node_modules/katex/dist/katex.min.js node_modules/katex/dist/katex.min.css static/vendor/katex/
	cp -r node_modules/katex/dist/fonts static/vendor/katex/fonts

assets: static/vendor/katex/katex.min.js

migrate: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --no-input

# The task worker (sends email) and the reminder sender run beside the server and
# stop with it; in production they are services of their own (README, "Email").
run: $(VENV)/.runtime assets migrate
	$(BIN)/python manage.py load_question_bank
	@echo "PrepSite is at http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	@scripts/dev_servers.sh $(BIN) $(PORT)

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian's Chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "The browser tests need Debian's Chromium: sudo apt-get install chromium"; \
		fi; fi

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(VENV)/.dev assets chromium lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The key point matcher's precision, recall and F1 on the held-out labelled answers
# (EVAL_ARGS="--split tune" or "--split all" for the others).
eval: $(VENV)/.runtime
	$(BIN)/python manage.py evaluate_matcher $(EVAL_ARGS)

# Regenerates the README's screenshots from the browser tests.
screenshots: $(VENV)/.dev assets chromium
	PREPSITE_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

# The benchmark's load generator, from Debian's packages.
wrk:
	@if ! command -v wrk >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing wrk for the benchmark"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
		else \
			echo "The benchmark needs wrk: sudo apt-get install wrk"; exit 1; \
		fi; fi

bench: $(VENV)/.dev assets wrk
	$(BIN)/python -m bench.run

soak: $(VENV)/.dev assets
	$(BIN)/python -m bench.soak

clean:
	rm -rf $(VENV) node_modules static/vendor var/staticfiles
