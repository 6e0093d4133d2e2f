# The README's commands. `make run` and `make test` do all the set-up a fresh clone needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: install run index ask test test-fast lint format bench eval clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/article-assistant index

run: index
	$(BIN)/article-assistant chat

ask: index
	$(BIN)/article-assistant ask "What did Putin warn about?"

test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-fast: install
	$(BIN)/python -m pytest -q -m "not slow and not browser"

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# The dev set must meet its thresholds; then every set (dev, Rhine) side by side with the baselines.
eval: index
	$(BIN)/article-assistant eval --set eval/dev.jsonl \
		--min hit@3=1.0 --min refusal_accuracy=1.0 --min exactness=1.0 --min followup_accuracy=1.0
	$(BIN)/article-assistant eval --baselines --json bench-out/eval.json

bench: index
	$(BIN)/article-assistant bench --quick

clean:
	rm -rf .index bench-out .pytest_cache
