# Brújula: `make run` starts the bot with its web chat, `make test` runs every check. Both set themselves up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 needs Python 3.10 (not 3.11): take the first python3.10 that really is 3.10.
PYTHON310 ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
MODEL := models/brujula.tar.gz
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml') $(wildcard bot/nlu/*.py)
export TF_CPP_MIN_LOG_LEVEL := 2
export RASA_TELEMETRY_ENABLED := false
export PYTHONHASHSEED := 0
# make bench: Brújula's tracker store in the comparison with stock Rasa (sqlite, postgres, or both in one run)
BENCH_STORE ?= sqlite

.PHONY: help install browser run shell train test lint pytest e2e validate conversation-test eval \
	content-check content-due content-report coverage gaps bench bench-replicas desk-user clean prod prod-stop load

help: ## List the commands
	@grep -E '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-18s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.lock
	@test -n "$(PYTHON310)" || { echo "Python 3.10 not found (Rasa 3.6 needs it): install it, e.g. 'apt-get install python3.10' or pyenv"; exit 1; }
	test -x $(BIN)/python || $(PYTHON310) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==24.0
	$(BIN)/pip install --quiet --no-deps -r requirements.lock
	touch $@

install: $(BIN)/.installed ## Create .venv and install the pinned dependencies

browser: ## Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; no browser download)
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null; \
		else echo "Install Chromium first: sudo apt-get install chromium"; exit 1; fi; }

$(MODEL): $(BIN)/.installed $(TRAINING_INPUTS)
	$(BIN)/rasa train --fixed-model-name brujula --out models

train: $(MODEL) ## Train the model (only when data/, config.yml or domain.yml changed)

run: $(MODEL) ## Run the bot: web chat and REST API on http://localhost:5005 (SQLite, no other server)
	$(BIN)/python -m bot.run

prod: $(MODEL) ## Production topology on this machine: nginx :8088 -> 2 Rasa replicas + 2 action servers -> PostgreSQL + Redis
	scripts/prod.sh start

prod-stop: ## Stop what make prod started
	scripts/prod.sh stop

load: $(MODEL) ## Load and fault run against make prod (not part of make test): see scripts/load.py --help
	$(BIN)/python scripts/load.py $(LOAD_ARGS)

shell: $(MODEL) ## Chat with the bot in this terminal
	$(BIN)/python -m bot.run --shell

lint: $(BIN)/.installed ## ruff (lint and format), mypy, and no import cycle in bot/ and actions/
	$(BIN)/ruff check bot actions tests scripts
	$(BIN)/ruff format --check bot actions tests scripts
	$(BIN)/mypy bot actions tests scripts
	$(BIN)/python scripts/import_graph.py --cycles

pytest: $(MODEL) browser ## Unit, channel, end-to-end and browser tests (pytest)
	$(BIN)/pytest -q --junitxml=results/pytest.xml

e2e: $(MODEL) browser ## Only the browser test: a Kreyòl chat handed to a person at the desk, in headless Chromium
	$(BIN)/pytest -q tests/e2e

validate: $(BIN)/.installed ## rasa data validate (fails on any warning)
	$(BIN)/python scripts/validate.py

conversation-test: $(MODEL) ## Conversation tests (tests/test_*.yml), failing on any prediction error
	$(BIN)/rasa test core --model $(MODEL) --stories tests/ --fail-on-prediction-errors --e2e --out results/core

test: install lint content-check validate train pytest conversation-test ## Every check: lint, content, data validation, training, pytest, conversation tests

eval: $(MODEL) ## Intent and language accuracy per language (dev_eval and held-out), with langdetect as baseline
	$(BIN)/python scripts/evaluate.py

content-check: $(BIN)/.installed ## Check content/: every problem with file:line and a plain hint
	$(BIN)/python -m bot.content check

content-due: $(BIN)/.installed ## Content items due in the next 30 days (valid_until, recheck_by, watch_from) or stale
	$(BIN)/python -m bot.content due

content-report: $(BIN)/.installed ## Write results/content-report.md: status, evidence coverage, due, changes since last release
	$(BIN)/python -m bot.content report

coverage: $(BIN)/.installed ## Write COVERAGE.md: topics × countries × languages, places, emergency numbers
	$(BIN)/python -m bot.content coverage

gaps: $(BIN)/.installed ## Most frequent unanswered questions per language (last 30 days)
	$(BIN)/python -m bot.content gaps --days 30

bench: $(MODEL) ## Benchmarks: vs a stock rasa init bot (SQLite and PostgreSQL); nearest place; channels vs REST
	$(BIN)/python scripts/bench_stock.py --rounds 3 --store $(BENCH_STORE)
	$(BIN)/python scripts/bench_places.py
	$(BIN)/python scripts/bench_channels.py --rasa --users 16 --messages 20 --rounds 3
	$(BIN)/python scripts/bench_channels.py

bench-replicas: $(MODEL) ## One Rasa replica vs two in production mode (make prod topology, nginx; a few minutes)
	$(BIN)/python scripts/bench_replicas.py --rounds 3

desk-user: $(BIN)/.installed ## Add a desk staff account: make desk-user NAME=ana
	$(BIN)/python -m bot.handoff add-staff $(NAME)

clean: ## Remove the model, results and local state
	rm -rf models results .state .rasa
