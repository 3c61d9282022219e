# Deep Learning Visual Lab. Every target creates .venv (and installs) when it is missing or stale.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
# `make run` serves the bundled offline MNIST sample; `make run OFFLINE=0` tries to download first.
OFFLINE ?= 1

.PHONY: run test test-unit test-app test-e2e bench clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --disable-pip-version-check -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	DLVL_OFFLINE=$(OFFLINE) $(PY) -m streamlit run Home.py --server.port=$(PORT)

test: $(VENV)/.dev
	$(PY) -m pytest

test-unit: $(VENV)/.dev
	$(PY) -m pytest tests/unit

test-app: $(VENV)/.dev
	$(PY) -m pytest tests/app

test-e2e: $(VENV)/.dev
	$(PY) -m pytest tests/e2e

bench: $(VENV)/.dev
	DLVL_OFFLINE=1 $(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache bench/results.json
