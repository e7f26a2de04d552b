# The two commands a newcomer needs (see README):
#   make demo   - run the main job on the embedded default: the bazaar with its demo
#                 (web pages and API on http://127.0.0.1:8000/, a fresh SQLite database
#                 in a temporary folder each run, so the demo's story starts anew)
#   make test   - lint, type-check, build the documentation strictly and run the whole test suite
#   make docs   - the documentation site (docs/, mkdocs.yml), built offline into site/
# Both bootstrap a private uv (in .tools/) and the project's virtual environment (.venv/)
# from the committed lock file, using the machine's python3; nothing else is needed.

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV_STAMP := .venv/.synced-$(UV_VERSION)
TEST_STAMP := .venv/.synced-all-extras-$(UV_VERSION)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)

PORT ?= 8000

.PHONY: setup demo examples test lint typecheck docs docs-images pytest lock bench clean chromium

setup: $(VENV_STAMP)

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# setup and demo: no extras, so no pygambit (GPL-2.0-or-later, and built from source on Linux:
# minutes); --inexact keeps what the tests' sync added, so demo and test never undo each other.
# --compile-bytecode: the environment sets PYTHONDONTWRITEBYTECODE, so without it every
# process would compile ~2,000 modules from source (4-5 s before `volition --help`);
# compileall does the same for volition itself (an editable install: its modules stay in src/).
$(VENV_STAMP): $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --inexact --compile-bytecode
	.venv/bin/python -m compileall -q src
	touch $@

# the tests cover every optional extra: pygambit (compiled), Ray, and `rl` (skrl with JAX on
# CPU, about 530 MB installed, for the external-RL example's test)
$(TEST_STAMP): $(VENV_STAMP)
	$(UV) sync --frozen --all-extras --compile-bytecode
	touch $@

demo: $(VENV_STAMP)
	.venv/bin/volition serve --demo --port $(PORT)

examples: $(VENV_STAMP)
	.venv/bin/volition examples

lint: $(TEST_STAMP)
	.venv/bin/ruff check src tests benchmarks
	.venv/bin/ruff format --check src tests benchmarks
	.venv/bin/lint-imports --no-logo

typecheck: $(TEST_STAMP)
	.venv/bin/mypy src/volition

pytest: $(TEST_STAMP) chromium
	.venv/bin/pytest -n 2 $(PYTEST_ARGS)

# --strict: a broken link, a missing page or an unresolved API reference fails the build
docs: $(TEST_STAMP)
	NO_MKDOCS_2_WARNING=1 .venv/bin/mkdocs build --strict --quiet

# docs/images/: the screenshots the browser test takes of the demo
docs-images: $(TEST_STAMP) chromium
	VOLITION_DOCS_IMAGES=1 .venv/bin/pytest -q -p no:randomly tests/web/test_docs_screenshots.py

test: lint typecheck docs pytest

# The web pages' tests drive Debian's headless chromium (never a downloaded browser build).
chromium:
	command -v chromium >/dev/null || (apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

lock: $(UV)
	$(UV) lock

bench: $(VENV_STAMP)
	for script in benchmarks/bench_*.py; do .venv/bin/python $$script || exit 1; done

clean:
	rm -rf .venv .tools
