# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Prefect starts a temporary local API server when PREFECT_API_URL is unset;
# its first start migrates a database, which can be slow on a fresh machine.
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 300

.PHONY: setup demo test clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	$(BIN)/python -m pip check
	touch $@

setup: $(BIN)/.installed
	@if [ -z "$$VIGIE_ES_URL" ]; then $(BIN)/vigie es install; fi

# Runs the pipeline on the bundled sample (starting the local Elasticsearch
# when VIGIE_ES_URL is unset), then one search.
demo: setup
	$(BIN)/vigie run samples/sources.csv
	$(BIN)/vigie search '"centre de santé"' --limit 3

# Starts a local Elasticsearch node for the test session and stops it after.
test: setup
	$(BIN)/python -m pytest

clean:
	-$(BIN)/vigie es stop
	rm -rf $(VENV) data
