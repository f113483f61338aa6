# `make demo` and `make test` work on a machine with nothing but Python 3.11 or newer:
# they create .venv and install sktcn with its test, docs and onnx extras into it first.
# PYTHON: the first of python3.11, 3.12, 3.13 and python3 that runs and is 3.11 or newer (a name
# alone can be a shim of a version manager that is not installed); `make PYTHON=...` picks another.
PYTHON ?= $(shell for p in python3.11 python3.12 python3.13 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.sktcn-installed
# The level `import sktcn` sets when the variable is unset (docs/getting_started.rst): TensorFlow's
# INFO lines hidden, its warnings (GPU diagnostics among them) shown; `make ... TF_CPP_MIN_LOG_LEVEL=n`
# or the environment picks another.
export TF_CPP_MIN_LOG_LEVEL ?= 1

.PHONY: install demo test test-full test-lowest bench docs docs-check clean

# Keras 3.15.1, the lowest Keras sktcn accepts, needs Python 3.11 (pyproject's requires-python):
# with an older PYTHON, say so here rather than leave pip to fail on Keras.
CHECK_PYTHON = @"$(PYTHON)" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	echo "sktcn needs Python 3.11 or newer, and PYTHON='$(PYTHON)' is not one (or is missing):" \
	     "install Python 3.11+, or run make PYTHON=/path/to/python3.11." >&2; exit 1; }

$(STAMP): pyproject.toml
	$(CHECK_PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,docs,onnx]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/sktcn demo

# Two pytest worker processes (pytest-xdist), one file at a time each, so that a
# file's module-scoped fixtures are fitted once: the tests' tiny networks keep one
# core busy with Python overhead, so each of CI's 2 cores gets a worker.
TEST_WORKERS ?= 2

# The site is checked in a browser after it is built (docs-check, a few seconds
# where Chromium is installed, a skip message elsewhere); tests/test_docs_site.py,
# which would check the previous build, is skipped here for that reason.
test: $(STAMP)
	SKTCN_SITE_CHECKED_BY_MAKE=1 $(BIN)/python -m pytest -q -rxX -n $(TEST_WORKERS) --dist loadfile --durations=20
	$(MAKE) docs
	$(MAKE) docs-check

# The documentation site, warnings as errors (part of `make test`). The gallery runs
# every example in its quick size, and the user guide draws its figures from tiny
# networks (see docs/conf.py).
docs: $(STAMP)
	$(BIN)/python -m sphinx -W --keep-going -q -b html docs docs/_build/html

# The built site in headless Chromium: console errors, failed requests, images that do
# not load; screenshots in docs/_build/screenshots. Skips, saying so, without Chromium.
docs-check: $(STAMP)
	$(BIN)/python docs/check_site.py

# scikit-learn's full estimator checks on the *default* estimators (slower than
# the tiny configurations `make test` runs them with), and sktime's whole
# check_estimator suite on TCNForecaster (76 tests, one pytest case each, spread
# over the workers; `make test` runs the representative 12 listed in
# tests/test_sktime_suite.py's REPRESENTATIVE).
test-full: $(STAMP)
	SKTCN_FULL_CHECKS=1 $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist load --durations=20 -rA \
		tests/test_sklearn_compliance.py tests/test_sktime_suite.py

# The lowest versions pyproject.toml allows, checked again: .venv-lowest, made afresh, gets
# sktcn with its test extras at uv's "lowest-direct" resolution (each dependency sktcn
# names at its lower bound, theirs at the newest that fit; the onnx extra's too), then the
# tests and doctests run there (about 20 minutes on 2 cores; those that need the docs extra
# skip, saying so). The whole suite, not a part: on 2026-12-07 the old part passed where
# six other tests failed.
# docs/design.md ("Supported versions") records the last run. Not part of `make test`;
# it needs the network, as `make install` does.
LOWEST := .venv-lowest
LOWEST_TESTS ?= tests sktcn

test-lowest:
	$(CHECK_PYTHON)
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install --quiet uv
	$(LOWEST)/bin/python -m uv pip install --quiet --python $(LOWEST)/bin/python --resolution lowest-direct \
		-e ".[test,onnx]"
	$(LOWEST)/bin/python -m uv pip list --python $(LOWEST)/bin/python
	$(LOWEST)/bin/python -m pytest -q -rsxX -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile $(LOWEST_TESTS)

bench: $(STAMP)
	$(BIN)/python benchmarks/overhead.py

clean:
	rm -rf $(VENV) $(LOWEST) build *.egg-info .pytest_cache docs/_build docs/auto_examples docs/api/generated
