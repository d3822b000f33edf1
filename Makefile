# The digest: every target bootstraps .venv from the pinned requirements first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export NO_MKDOCS_2_WARNING := 1
# Reproducible builds: the date MkDocs stamps (sitemap lastmod) is the last commit's, not today's.
GIT_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null)
ifneq ($(GIT_EPOCH),)
export SOURCE_DATE_EPOCH ?= $(GIT_EPOCH)
endif

.PHONY: install build test check serve bench fuzz clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# --dirty: reuse site/ and .cache/ from the last build; the digest makes the result byte for byte
# that of a clean build (`make clean` forces one).
build: $(STAMP)
	$(BIN)/mkdocs build --strict --dirty

check: $(STAMP)
	$(BIN)/python scripts/check.py

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

serve: $(STAMP)
	$(BIN)/python scripts/serve.py --host $(HOST) --port $(PORT)

bench: $(STAMP)
	$(BIN)/python scripts/bench.py --stories $(or $(N),1000) $(BENCH_ARGS)

fuzz: $(STAMP)
	DIGEST_FUZZ_EXAMPLES=$(or $(EXAMPLES),50000) $(BIN)/python -m pytest tests/test_fuzzing.py

clean:
	rm -rf site .cache .pytest_cache
