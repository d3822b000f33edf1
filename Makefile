# The digest: every target bootstraps .venv from the pinned requirements first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# What .venv was made from: the checkout's folder, PYTHON, and its interpreter's path and version.
ORIGIN := $(VENV)/.origin
# PYTHON given on the command line or in the environment (not this file's default): .venv must be
# made from that interpreter.
PYTHON_GIVEN := $(filter-out file,$(origin PYTHON))
# An interpreter's identity: the real path of the Python it is (or a venv is made from), its version.
IDENTIFY := import os, platform, sys; print(os.path.realpath(getattr(sys, "_base_executable", sys.executable)), platform.python_version())
HOST ?= 127.0.0.1
PORT ?= 8000
# The build engine of build, serve, bench and test: mkdocs (MkDocs 1.6.1, its last release) or
# properdocs (ProperDocs, its maintained drop-in fork; in the lock). Exported as DIGEST_ENGINE,
# which the scripts and the tests read; README "Engines".
ENGINE ?= $(or $(DIGEST_ENGINE),mkdocs)
ifneq ($(words $(ENGINE)) $(filter mkdocs properdocs,$(ENGINE)),1 $(strip $(ENGINE)))
$(error ENGINE=$(ENGINE): the engine is mkdocs or properdocs)
endif
export DIGEST_ENGINE := $(ENGINE)
export NO_MKDOCS_2_WARNING := 1
# Reproducible builds: the date MkDocs stamps (sitemap lastmod) is the last commit's, not today's.
GIT_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null)
ifneq ($(GIT_EPOCH),)
export SOURCE_DATE_EPOCH ?= $(GIT_EPOCH)
endif

.PHONY: install build test check serve bench fuzz mutate clean lock messages FORCE

# Checked on every run. .venv is removed and made again, with one line that says why, when its
# Python no longer runs or is no longer the interpreter (path and version) it was made from, when
# PYTHON= names another interpreter, or when the checkout moved (the scripts in .venv/bin and the
# editable install name the old folder). The file is rewritten only then, so the install below
# runs only when .venv is new or requirements.lock or pyproject.toml changed.
$(ORIGIN): FORCE
	@here='$(CURDIR)'; reason=''; \
	have="$$($(BIN)/python -c '$(IDENTIFY)' 2>/dev/null)"; \
	if [ -n '$(PYTHON_GIVEN)' ]; then \
	  want="$$($(PYTHON) -c '$(IDENTIFY)' 2>&1)" \
	    || { echo "make: PYTHON=$(PYTHON) does not run: $$(echo "$$want" | head -n 1)" >&2; exit 1; }; \
	fi; \
	if [ ! -e $(VENV) ] && [ ! -L $(VENV) ]; then :; \
	elif [ -z "$$have" ]; then reason="its Python ($(BIN)/python) does not run"; \
	elif [ ! -f $@ ] && [ "$$(sed -n 's/^command = .* -m venv //p' $(VENV)/pyvenv.cfg 2>/dev/null)" != "$$here/$(VENV)" ]; then \
	  reason="it has no record of what it was made from, and its pyvenv.cfg names another folder"; \
	else \
	  [ -f $@ ] || printf 'checkout %s\npython %s\ninterpreter %s\n' "$$here" '?' "$$have" > $@; \
	  was_checkout="$$(sed -n 's/^checkout //p' $@)"; was_python="$$(sed -n 's/^python //p' $@)"; \
	  was="$$(sed -n 's/^interpreter //p' $@)"; \
	  if [ "$$was_checkout" != "$$here" ]; then reason="the checkout moved from $$was_checkout to $$here"; \
	  elif [ "$$was" != "$$have" ]; then reason="its Python is now $$have, not $$was as when it was made"; \
	  elif [ -n '$(PYTHON_GIVEN)' ] && [ "$$want" != "$$have" ]; then \
	    reason="PYTHON=$(PYTHON) is $$want, and .venv was made with PYTHON=$$was_python ($$have)"; \
	  fi; \
	fi; \
	if [ -n "$$reason" ] || [ ! -e $(VENV) ]; then \
	  $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	    || { echo "make: PYTHON=$(PYTHON) is not a Python 3.11 or newer that runs (make install PYTHON=python3.11)" >&2; exit 1; }; \
	  if [ -n "$$reason" ]; then echo "make: rebuilding .venv: $$reason"; rm -rf $(VENV); fi; \
	  echo "make: creating .venv with PYTHON=$(PYTHON) ($$($(PYTHON) -c '$(IDENTIFY)'))"; \
	  $(PYTHON) -m venv $(VENV) || exit 1; \
	  printf 'checkout %s\npython %s\ninterpreter %s\n' "$$here" '$(PYTHON)' "$$($(BIN)/python -c '$(IDENTIFY)')" > $@; \
	fi

# Hash-checking mode: every package, the dependencies of dependencies included, must be in the lock
# with a hash of the very file pip downloads. The digest itself is installed by a second command,
# outside hash-checking mode: editable, --no-deps (the lock has them all), --no-build-isolation
# (with the setuptools pinned in the lock, so that no unpinned package is fetched to build it).
$(STAMP): requirements.lock pyproject.toml $(ORIGIN)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# requirements.lock made again from pyproject.toml (dependencies, the `test` extra and the build
# requirements) by pip-tools, installed for this purpose in a throwaway venv; the versions already
# pinned are kept unless LOCK_ARGS says otherwise ("--upgrade-package NAME", "--upgrade"). The lock
# is resolved for Python 3.11 on Linux, so LOCK_PYTHON must be that. Needs the network.
LOCK_PYTHON ?= python3.11
PIP_TOOLS := pip-tools==7.6.2
lock:
	@set -e; tools="$$(mktemp -d)"; trap 'rm -rf "$$tools"' EXIT; \
	$(LOCK_PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) or sys.platform != "linux")' \
	  || { echo "make: the lock is made with Python 3.11 on Linux: LOCK_PYTHON=$(LOCK_PYTHON) is not" >&2; exit 1; }; \
	$(LOCK_PYTHON) -m venv "$$tools"; \
	"$$tools/bin/python" -m pip install --quiet --disable-pip-version-check '$(PIP_TOOLS)'; \
	"$$tools/bin/pip-compile" --quiet --generate-hashes --allow-unsafe --strip-extras --extra=test --extra=engines \
	  --build-deps-for=editable --no-emit-index-url --no-emit-find-links \
	  --output-file=requirements.lock $(LOCK_ARGS) pyproject.toml

# --dirty: reuse site/ and .cache/ from the last build; the digest makes the result byte for byte
# that of a clean build (`make clean` forces one).
build: $(STAMP)
	$(BIN)/$(ENGINE) build --strict --dirty --config-file mkdocs.yml

check: $(STAMP)
	$(BIN)/python scripts/check.py

# The Nu HTML checker (vnu.jar) from tools/package-lock.json, for the valid-HTML test; the jar
# only (--ignore-scripts: its install script would fetch a Java runtime). Skipped without npm.
VNU := tools/node_modules/.installed
$(VNU): tools/package.json tools/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tools --ignore-scripts --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "make: npm not found: the valid-HTML test will be skipped"; fi

test: $(STAMP) $(VNU)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

serve: $(STAMP)
	$(BIN)/python scripts/serve.py --host $(HOST) --port $(PORT)

# The scale benchmark (BENCHMARKS.md). The content boundary's timings (hostile files refused, warnings
# over 20,000 stories) are scripts/bench_content.py's; the body limits', scripts/bench_render.py's.
bench: $(STAMP)
	$(BIN)/python scripts/bench.py --stories $(or $(N),1000) $(BENCH_ARGS)

fuzz: $(STAMP)
	DIGEST_FUZZ_EXAMPLES=$(or $(EXAMPLES),50000) $(BIN)/python -m pytest tests/test_fuzzing.py

# Mutation testing (CONTRIBUTING.md): mutmut over loader, schema, index, feeds and pages with the
# fast in-process tests ([tool.mutmut] in pyproject.toml), in build/mutmut/, a copy of the checkout
# where the package is src/digest (mutmut names modules after their path). CPU-heavy: low
# priority, MUTATE_JOBS workers; MUTANTS='digest.feeds.*' runs one module. Results are kept there
# between runs; the score per module is printed at the end.
MUTATE_JOBS ?= 2
MUTATE_DIR := build/mutmut
mutate: $(STAMP)
	mkdir -p $(MUTATE_DIR) && cd $(MUTATE_DIR) && rm -rf src tests content schema scripts site_plugins && mkdir src
	cp -Rp site_plugins/digest $(MUTATE_DIR)/src/digest
	cp -Rp tests content schema scripts site_plugins mkdocs.yml pyproject.toml $(MUTATE_DIR)/
	{ echo "measured: $$(git rev-parse HEAD)"; git status --short site_plugins/digest; } > $(MUTATE_DIR)/STATE.txt
	cd $(MUTATE_DIR) && nice -n 15 $(CURDIR)/$(BIN)/mutmut run --max-children $(MUTATE_JOBS) $(MUTANTS) >mutmut.log 2>&1 \
	  || { tail -n 30 mutmut.log; exit 1; }
	cd $(MUTATE_DIR) && $(CURDIR)/$(BIN)/python $(CURDIR)/scripts/mutation_score.py

clean:
	rm -rf site .cache .pytest_cache

# Interface strings (README, "The site in another language"): collect every message of the
# templates, the plugin and search.js into locales/digest.pot, then add the new ones to every
# language's digest.po (untranslated until a translator fills them in).
LOCALES := site_plugins/digest/locales
messages: $(STAMP)
	$(BIN)/pybabel extract -F $(LOCALES)/babel.cfg -c Translators: --no-wrap --sort-output --omit-header \
	  --no-location -o $(LOCALES)/digest.pot .
	$(BIN)/pybabel update -D digest -i $(LOCALES)/digest.pot -d $(LOCALES) --no-wrap --ignore-obsolete

FORCE:
