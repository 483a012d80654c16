# Everything installs into .venv from pyproject.toml; nothing is installed by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0

# Use the shared MNIST copy when it is there (machines without network).
SHARED_MNIST := $(abspath ../shared/data/mnist.npz)
ifneq ($(wildcard $(SHARED_MNIST)),)
export MNIST_PATH ?= $(SHARED_MNIST)
endif

.PHONY: install build check demo test test-fast clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(BIN)/.installed

build: install
	$(BIN)/python -m autograder build

check: install
	$(BIN)/python -m autograder build --check

# Build, then grade the solution and the blank student notebook.
demo: build
	$(BIN)/python -m autograder grade solutions/deep_learning_primer.ipynb --out dist/demo/solution
	$(BIN)/python -m autograder grade assignments/deep_learning_primer/deep_learning_primer.ipynb --out dist/demo/blank

test: install
	$(BIN)/python -m pytest -ra

test-fast: install
	$(BIN)/python -m pytest -ra -m "not slow"

clean:
	rm -rf dist .pytest_cache
