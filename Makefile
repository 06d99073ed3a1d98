# One command list for people and CI. `make run` installs and serves; `make test` tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

NODE_STAMP := node_modules/.package-lock.json

.PHONY: install run test test-cosmos lint format check-infra seed-demo bench clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# The emulators the tests run against: Azurite (queues) and @vercel/cosmosdb-server.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

install: $(STAMP)

run: install
	$(BIN)/python -m app serve

test: install $(NODE_STAMP)
	$(BIN)/python -m pytest

# The API, trigger and task tests again, end to end on the Cosmos DB emulator.
test-cosmos: install $(NODE_STAMP)
	TEST_STORAGE_BACKEND=cosmos $(BIN)/python -m pytest tests/api tests/tasks \
		tests/test_function_app.py tests/test_notifications.py tests/test_logging.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# checkov on infra/ (Bicep), in its own virtual environment (.venv-checkov).
check-infra:
	scripts/check-infra

seed-demo: install
	$(BIN)/python -m app seed-demo

# The benchmarks print their figures and end with one JSON line each.
bench: install
	$(BIN)/python bench/adapter.py
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/matching.py
	$(BIN)/python bench/route_costs.py
	$(BIN)/python bench/mixed_load.py

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules .data .pytest_cache .mypy_cache .ruff_cache
