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

run: install
	$(BIN)/assistant check knowledge/corpus/000_32938e1454f761be.txt
	$(BIN)/assistant search "预算执行率偏低 存在问题和建议" -k 3

test: install-test
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/assistant bench core
