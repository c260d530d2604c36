# One-command set-up: `make demo` and `make test` install whatever is missing
# (GNU Octave from Debian's packages, a virtual environment, portcheck with its
# dev extras) and then do their job.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: setup octave venv demo test bench docs clean

setup: octave venv

octave:
	@if command -v octave-cli >/dev/null 2>&1; then \
		echo "octave: $$(command -v octave-cli) already installed"; \
	else \
		echo "octave: installing GNU Octave from Debian's packages (takes a few minutes)"; \
		$(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y octave; \
	fi

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,docs]'
	touch $@

venv: $(VENV)/.installed

demo: setup
	$(VENV)/bin/portcheck demo

test: setup
	$(PY) -m pytest -n 2 tests

bench: setup
	$(PY) benchmarks/run.py

# The documentation site (docs/_build/html); warnings are errors, and the
# gallery's examples run against the real Octave.
docs: setup
	$(PY) -m sphinx -W --keep-going -b html docs docs/_build/html

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache docs/_build docs/auto_examples docs/api/generated docs/migration_guide
