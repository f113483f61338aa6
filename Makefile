# `make demo` and `make test` work on a machine with nothing but Python 3.11:
# they create .venv and install sktcn with its test, docs and onnx extras into it first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.sktcn-installed
export TF_CPP_MIN_LOG_LEVEL ?= 2

.PHONY: install demo test test-full bench docs docs-check clean

$(STAMP): pyproject.toml
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

bench: $(STAMP)
	$(BIN)/python benchmarks/overhead.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache docs/_build docs/auto_examples docs/api/generated
