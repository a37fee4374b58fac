# Two entry points (see README): `make run` and `make test`. Both create .venv in the repo.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

# torch first, pinned to the CPU build on this machine: a plain install would pull a multi-GB CUDA build
install-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e '.[test,st]'
	@# the browser test drives Debian's chromium; where apt cannot install it, that test says so and skips
	@command -v chromium >/dev/null || { command -v apt-get >/dev/null && \
	  (apt-get update -qq && apt-get install -y -qq chromium chromium-driver) >/dev/null 2>&1; } || \
	  echo "chromium not installed: the browser test will be skipped"

# the chat service on http://127.0.0.1:8080/ (data in ./data; the seed reports index themselves)
run: install
	$(BIN)/assistant serve

test: install-test
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/assistant bench core
