# The README's commands. `make run` and `make test` do all the set-up a fresh clone needs.
# `make run` installs the runtime only (the extractive chat); `make test` installs every extra (`.[dev]`,
# which compiles llama-cpp-python). Each has its own stamp, so neither redoes the other's work.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.installed-runtime
DEV_STAMP := $(VENV)/.installed-dev
INDEX_STAMP := .index/.indexed
SEEDS := $(shell find seeds -type f 2>/dev/null)
export HF_HUB_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ANONYMIZED_TELEMETRY := False

.PHONY: install install-dev run index ask test test-fast lint format bench eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# The dev set includes the runtime, so it stamps both.
$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP)

install-dev: $(DEV_STAMP)

index: install
	$(BIN)/article-assistant index
	@touch $(INDEX_STAMP)

# `run` indexes only when the articles, the installed packages or the indexer's code changed since the last
# `index` (which also exports the query model to ONNX, see README "Queries without torch", and rebuilds an
# index an older release wrote): on a built index the chat starts at once. The stamp lives in the index
# folder, so a deleted index is built again.
$(INDEX_STAMP): $(RUNTIME_STAMP) $(SEEDS) $(wildcard index/*.py)
	$(BIN)/article-assistant index
	@touch $@

run: install $(INDEX_STAMP)
	$(BIN)/article-assistant chat

ask: index
	$(BIN)/article-assistant ask "What did Putin warn about?"

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-fast: install-dev
	$(BIN)/python -m pytest -q -m "not slow and not browser"

lint: install-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff format . && $(BIN)/ruff check --fix .

# The dev set must meet its thresholds; then every set (dev, bbc-reader, and news-chat and Rhine from
# ../shared/eval, skipped when absent) side by side with the baselines; then the BBC summaries beside Lead-k and
# TextRank (ROUGE needs the bench extra, hence install-dev).
eval: install-dev index
	$(BIN)/article-assistant eval --set ../shared/eval/dev.jsonl \
		--min hit@3=1.0 --min refusal_accuracy=1.0 --min exactness=1.0 --min followup_accuracy=1.0
	$(BIN)/article-assistant eval --baselines --json bench-out/eval.json
	$(BIN)/article-assistant eval --summaries --json bench-out/summaries.json

bench: install-dev index
	$(BIN)/article-assistant bench --quick

clean:
	rm -rf .index bench-out .pytest_cache
