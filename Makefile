# Every target bootstraps its own virtual environment from a Python 3.11.
## The interpreter the venv is made from (PYTHON3=... picks another): the distribution's python3.11 where the
## machine has one, else python3. Debian's is built with profile-guided optimisation; dbt, Dagster and the test
## suite run about 10 % faster on it than on a plain source build of 3.11 such as pyenv's (docs/benchmarks.md).
PYTHON3 ?= $(or $(wildcard /usr/bin/python3.11),python3)
VENV    ?= .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
# A venv made from another interpreter than PYTHON3 (or before .venv/.interpreter was kept) is made again.
PYTHON_PATH := $(shell $(PYTHON3) -c 'import os, sys; print(os.path.realpath(sys.executable))' 2>/dev/null)
REMAKE      := $(if $(filter $(PYTHON_PATH),$(shell cat $(VENV)/.interpreter 2>/dev/null)),,FORCE)
SCALE   ?= 1
INCREMENTAL ?=
## Test processes (pytest-xdist): one per core by default; TEST_WORKERS=0 runs the suite in this process.
TEST_WORKERS ?= auto

.PHONY: run test dev bench docs dbt-parse clean lock validate FORCE

## requirements.lock (made by `make lock`) holds the whole set, every package with its hashes: installed
## as it is (--no-deps: pip resolves nothing; -qq: errors only), then checked for consistency.
$(STAMP): pyproject.toml requirements.lock $(REMAKE)
	@test -n "$(PYTHON_PATH)" || { echo "No Python interpreter $(PYTHON3) (make PYTHON3=... names one); $(VENV) left as it is." >&2; exit 2; }
	@echo "Installing the locked dependency set into $(VENV) with $(PYTHON_PATH) (first use, the lock or the interpreter changed) ..."
	@$(if $(REMAKE),rm -rf $(VENV) &&) $(PYTHON3) -m venv $(VENV)
	@$(PY) -m pip install -qq --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	@$(PY) -m pip install -qq --disable-pip-version-check --no-deps -e .
	@$(PY) -m pip check > $(VENV)/pip-check.txt || (cat $(VENV)/pip-check.txt; exit 1)
	@echo "$(PYTHON_PATH)" > $(VENV)/.interpreter
	@touch $(STAMP)

FORCE:

## dbt needs its manifest before the Dagster definitions load.
dbt-parse: $(STAMP)
	$(PY) -m orchestration.cli prepare

## Generate the demo company, materialize the whole graph, print where the outputs are.
run: $(STAMP)
	$(PY) -m orchestration.cli run --scale $(SCALE)

## Check the configuration and the landing files' headers in seconds: every problem in one line, exit 2 if the pipeline would stop.
validate: $(STAMP)
	$(PY) -m orchestration.cli validate

## The test suite (what .ci/run calls).
test: $(STAMP)
	$(PY) -m orchestration.cli prepare
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=40

## The Dagster UI on workspace.yaml: make dev [PORT=3001] [HOST=0.0.0.0]
dev: $(STAMP)
	$(PY) -m orchestration.cli dev$(if $(PORT), --port $(PORT))$(if $(HOST), --host $(HOST))

## Benchmark against the floors: make bench SCALE=10 [INCREMENTAL=1] (time a run that lands only the last batch)
bench: $(STAMP)
	$(PY) -m bench.run --scale $(SCALE)$(if $(filter-out 0 no false,$(INCREMENTAL)), --incremental)

## dbt docs (models, column descriptions, contracts, lineage) as one offline file: dbt_project/target/static_index.html
docs: $(STAMP)
	$(PY) -m orchestration.cli prepare
	$(PY) -m orchestration.dbt_docs

## Re-lock after editing pyproject.toml's dependencies: every package pinned with its hashes (uv keeps the
## versions already in requirements.lock unless pyproject asks for others). Needs only PyPI.
UV_VERSION := 0.13.9
lock: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock" -o requirements.lock

clean:
	rm -rf data .dagster_home dbt_project/target dbt_project/logs
