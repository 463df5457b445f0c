# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# Prefect starts a temporary local API server when PREFECT_API_URL is unset;
# its first start migrates a database, which can be slow on a fresh machine.
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 300
# No usage telemetry to Prefect's servers: nothing leaves this machine but fetches of the sources.
export PREFECT_SERVER_ANALYTICS_ENABLED ?= false

.PHONY: setup ocr browser demo test clean

$(BIN)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	$(BIN)/python -m pip check
	touch $@

# Tesseract with French data reads scanned pages; without it they are
# recorded as needs_ocr. Installed from Debian when we may.
ocr:
	@if ! (command -v tesseract >/dev/null && tesseract --list-langs 2>&1 | grep -qx fra); then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr tesseract-ocr-fra >/dev/null; \
	  else \
	    echo "warning: install tesseract-ocr and tesseract-ocr-fra to read scanned pages"; \
	  fi; \
	fi

# Debian's Chromium runs the browser tests (Playwright drives it; nothing is downloaded at test time).
browser:
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "warning: install Debian's chromium package to run the browser tests"; \
	  fi; \
	fi

# The detector's classifiers are trained from the committed corpus (a few
# minutes, once; again when the corpus, the platform or the config changes).
setup: $(BIN)/.installed ocr browser
	@if [ -z "$$VIGIE_ES_URL" ]; then $(BIN)/vigie es install; fi
	$(BIN)/vigie train --if-stale

# Runs the pipeline on the bundled sample (starting the local Elasticsearch
# when VIGIE_ES_URL is unset), then one search; ends saying what is left
# running, how to stop it and where the web app shows the same results.
demo: setup
	$(BIN)/vigie run samples/sources.csv
	$(BIN)/vigie search '"centre de santé"' --limit 3
	@$(BIN)/vigie es status

# Every test on a local Elasticsearch 7.10.2 node, then the tests that touch
# a node (marked es, or using the es_node fixture) again on a local
# OpenSearch 3.8 node (Java 21+: VIGIE_JAVA_HOME or a JDK under /usr/lib/jvm);
# each session starts its node and stops it after.
test: setup
	VIGIE_ENGINE=opensearch $(BIN)/vigie es install
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest --engine opensearch

clean:
	-$(BIN)/vigie es stop
	rm -rf $(VENV) data
