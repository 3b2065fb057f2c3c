# CityMes — `make run` for the demo, `make test` for the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_TELEMETRY_ENABLED := false
export PYTHONUNBUFFERED := 1
# `make test` runs the suite in this many processes (pytest-xdist); `make test TEST_PROCESSES=0` runs it in one.
TEST_PROCESSES ?= 3

.PHONY: install browser services loadgen run test lint bench simulator clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m citymes_app.core.word_forms
	touch $@

# Debian's Chromium for the browser tests (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; }

# Debian's PostgreSQL and Redis for the tests: the suite uses running servers (CITYMES_TEST_DATABASE_URL,
# CITYMES_TEST_REDIS_URL, else the standard local ports) or starts throwaway ones from these binaries
# (tests/services.py), whose own test needs them. Installed only when missing.
services:
	@MISSING=$$( { ls /usr/lib/postgresql/*/bin/initdb || command -v initdb; } >/dev/null 2>&1 || echo postgresql; \
	  command -v redis-server >/dev/null || echo redis-server ); \
	[ -z "$$MISSING" ] || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$MISSING >/dev/null; }

run: install
	bash scripts/run.sh

simulator: install
	$(PY) -m integrations.simulator

test: install browser services
	$(PY) -m pytest -q -p no:cacheprovider --durations=25 -n $(TEST_PROCESSES) --dist loadfile

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# The load generator of the benchmarks (Debian's wrk); the benchmarks also need what the tests need.
loadgen:
	@command -v wrk >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq wrk >/dev/null; }

bench: install services loadgen
	$(PY) -m bench

clean:
	rm -rf .web .web-* .states .states-* data/test-*
