# newsmill — the two commands of the README.
#   make run    create .venv from the hashed lock, ingest the sample corpus, show a query
#   make test   create .venv if needed, run the whole test suite
#   make shell  a shell with .venv activated, so that `newsmill` is on the PATH
# PYTHON may be set (make run PYTHON=python3.12); by default the newest of python3.12 and
# python3 that runs. Python >= 3.12 also installs the en_core_web_md pipeline.

PYTHON ?= $(shell for p in python3.12 python3; do $$p -c 'import sys; assert sys.version_info >= (3, 11)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV ?= .venv
BIN := $(VENV)/bin
DB ?= data/newsmill.duckdb
STAMP := $(VENV)/.installed

.PHONY: run test install lint clean shell

install: $(STAMP)

$(STAMP): requirements-pip.lock requirements.lock pyproject.toml
	@test -n "$(PYTHON)" || { echo "newsmill needs Python 3.11 or newer (python3)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	# pip first, pinned by hash: the one a Python 3.11 venv bundles warns about lxml's extra.
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-pip.lock
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

run: $(STAMP)
	$(BIN)/newsmill ingest --db $(DB) samples/corpus
	@echo
	@echo 'Who is quoted most?  newsmill sql "select speaker, quotes, documents from speaker_quote_counts limit 5"'
	@$(BIN)/newsmill sql --db $(DB) "select speaker, quotes, documents from speaker_quote_counts limit 5"
	@echo
	@echo 'The report (one HTML file, opens offline):'
	@$(BIN)/newsmill report --db $(DB) --out data/report.html
	@echo
	@echo 'newsmill is installed in $(BIN). To have it on your PATH: source $(BIN)/activate'
	@echo '(or make shell, a shell with it active; exit leaves it)'

shell: $(STAMP)
	@echo 'newsmill is on the PATH of this shell ($(VENV) active); exit to leave it'
	@VIRTUAL_ENV="$(CURDIR)/$(VENV)" PATH="$(CURDIR)/$(BIN):$$PATH" $${SHELL:-/bin/sh} -i

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) data
