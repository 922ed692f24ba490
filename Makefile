# The course's two commands: `make lab` and `make test`. Both set up .venv on first use.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
JUPYTER_PORT ?= 8888
# Interface language of `make lab`: LAB_LANG=zh for Simplified Chinese (kept for later labs)
LAB_LANG ?=
# Run one assignment's tests only: make test A=01_attention
A ?=
# pytest workers (xdist); the notebooks run in kernels, so one per core
N ?= auto

.PHONY: lab test build grade report venv clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install only when the pins or the package change.
$(STAMP): requirements.txt pyproject.toml | $(BIN)/python
	@# (this machine's pip config names find-links folders that may be absent: drop that noise)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt 2>&1 \
		| { grep -v "is ignored: it is neither a file nor a directory" || true; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

lab: $(STAMP)
	JUPYTER_PORT=$(JUPYTER_PORT) $(BIN)/course lab $(if $(LAB_LANG),--lang $(LAB_LANG),)

test: $(STAMP)
	@# one BLAS thread per process: xdist workers and notebook kernels already fill the cores
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -n $(N) --dist loadscope $(if $(A),-k "$(A)",)

build: $(STAMP)
	$(BIN)/course build $(A)

grade: $(STAMP)
	@test -n "$(A)" || (echo "usage: make grade A=<assignment>"; exit 2)
	$(BIN)/course grade $(A)

report: $(STAMP)
	@test -n "$(A)" || (echo "usage: make report A=<assignment>"; exit 2)
	$(BIN)/course report $(A)

clean-venv:
	rm -rf $(VENV)
