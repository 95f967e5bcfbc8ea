# Quickstart targets: `make demo` trains a model, `make test` runs the whole test suite.
# Both create .venv and install the project into it (editable) with what they need.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# PyTorch is a test oracle only (parity tests); the CPU build. Set TORCH= to skip it.
TORCH ?= torch==2.13.0

.PHONY: demo test lint bench notebooks fuzz clean

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

# Long fuzzing of autograd_nn.load (see SECURITY.md): the suite's hostile-file families at
# FUZZ_SCALE times their CI size with fresh random draws, then coverage-guided atheris for
# FUZZ_SECONDS (inputs that crash or take over 5 s are saved as fuzz-artifacts/crash-* etc.).
FUZZ_SCALE ?= 50
FUZZ_SECONDS ?= 600

$(VENV)/.fuzz-installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test,fuzz]"
	touch $@

fuzz: $(VENV)/.fuzz-installed
	CI= AUTOGRAD_NN_FUZZ_SCALE=$(FUZZ_SCALE) OMP_NUM_THREADS=1 $(PY) -m pytest -q -n 2 \
		tests/serialization/test_checkpoint_fuzz.py
	mkdir -p fuzz-artifacts
	$(PY) tests/serialization/fuzz_load.py -max_total_time=$(FUZZ_SECONDS) -timeout=5 \
		-rss_limit_mb=4096 -artifact_prefix=fuzz-artifacts/ fuzz-artifacts/corpus

bench: $(VENV)/.test-installed
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) -m benchmarks.run

# Re-execute every notebook in a fresh kernel and save it with clean outputs (after library changes).
notebooks: $(VENV)/.test-installed
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 $(PY) notebooks/build.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache fuzz-artifacts
