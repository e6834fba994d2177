# dyad: `make run` codes the bundled example articles; `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run
STAMP_DEV := $(VENV)/.installed-dev

.PHONY: run test lint bench scale eval readme lock clean serve fuzz

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"

$(STAMP_RUN): requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(STAMP_DEV): requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@ $(STAMP_RUN)

run: $(STAMP_RUN)
	$(BIN)/dyad code --date 2024-05-14 --format table examples/
	$(BIN)/dyad ingest --date 2024-05-14 --db dyad.duckdb examples/
	$(BIN)/dyad query --db dyad.duckdb roots
	$(BIN)/dyad query --db dyad.duckdb top-dyads --limit 10

# The explorer and API over the store `make run` made: http://127.0.0.1:8000/
serve: $(STAMP_RUN)
	@test -f dyad.duckdb || $(MAKE) run
	$(BIN)/dyad serve --db dyad.duckdb

test: $(STAMP_DEV)
	$(BIN)/python -m pytest -q

# Fuzzing (issue 19): 10,000 hostile inputs per surface (readers, cleaning, language check, legacy dictionaries,
# gold readers, the API), 5 s at most each; `make test` runs the same tests with a fixed seed and a few inputs.
# Address space capped at 8 GB: an input that explodes fails with MemoryError, not by the machine's OOM killer.
fuzz: $(STAMP_DEV)
	ulimit -v 8000000; DYAD_FUZZ=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/fuzz --hypothesis-show-statistics

lint: $(STAMP_DEV)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/lint-imports

# Speed and memory budgets: the pipeline budget against spaCy alone, cold start, dictionary and
# gazetteer loading, legacy coding, near-duplicates, corpus ingest (each skips what needs ../shared),
# run-on pages (bounded cost per article), update files of dyad watch (bounded memory, 1M-event store).
bench: $(STAMP_RUN)
	$(BIN)/python benchmarks/pipeline.py
	$(BIN)/python benchmarks/cold_start.py
	$(BIN)/python benchmarks/dictionaries.py
	$(BIN)/python benchmarks/legacy_coding.py
	$(BIN)/python benchmarks/gazetteer.py
	$(BIN)/python benchmarks/stories.py
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/long_sentences.py
	$(BIN)/python benchmarks/live.py
	$(BIN)/python benchmarks/updates.py
	$(MAKE) scale

# A store of 10^6 events (built from really coded articles, the seed kept in benchmarks/output/), the API
# under 20 clients for 60 s with the answer cache off (then again while a 0.9 MB article is coded through
# /api/code), every event downloaded as CSV and Parquet (the server's memory), and every explorer page
# rendered and screenshot.
scale: $(STAMP_DEV)
	$(BIN)/python benchmarks/bigstore.py
	$(BIN)/python benchmarks/serve.py --db benchmarks/output/bigstore.duckdb --cache-size 0 --seconds 60
	$(BIN)/python benchmarks/serve.py --db benchmarks/output/bigstore.duckdb --cache-size 0 --seconds 60 \
		--code-bytes 900000
	$(BIN)/python benchmarks/download.py --db benchmarks/output/bigstore.duckdb
	$(BIN)/python benchmarks/pages.py --db benchmarks/output/bigstore.duckdb

# Accuracy against ../shared gold data: every issue's bar in one table (skipped when it is absent).
eval: $(STAMP_RUN)
	$(BIN)/python benchmarks/bars.py
	$(BIN)/python benchmarks/language.py

# Regenerate README.md from tools/readme/ (template, measured figures) and real output on examples/.
readme: $(STAMP_RUN)
	$(BIN)/python tools/readme/build_readme.py

# Re-pin dependencies with hashes (needs the network to PyPI).
lock:
	$(PYTHON) -m venv /tmp/dyad-lock && /tmp/dyad-lock/bin/pip install --quiet pip-tools
	/tmp/dyad-lock/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	/tmp/dyad-lock/bin/pip-compile -q --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
