# Quickstart targets: `make demo` trains a model, `make test` runs the whole test suite.
# Both create .venv and install the project into it (editable) with what they need.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# PyTorch is a test oracle only (parity tests); the CPU build. Set TORCH= to skip it.
TORCH ?= torch==2.13.0

.PHONY: demo test lint bench notebooks clean

$(VENV)/.demo-installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[all]"
	touch $@

$(VENV)/.test-installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test,all]" $(TORCH)
	touch $@

demo: $(VENV)/.demo-installed
	$(PY) -m autograd_nn.demo

# Two test processes with one BLAS thread each: the 2-core CI machine, not oversubscribed.
test: $(VENV)/.test-installed
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m pytest -q -n 2 tests

lint: $(VENV)/.test-installed
	$(PY) -m ruff check autograd_nn tests benchmarks examples

bench: $(VENV)/.test-installed
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m benchmarks.run

# Re-execute every notebook in a fresh kernel and save it with clean outputs (after library changes).
notebooks: $(VENV)/.test-installed
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) notebooks/build.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
