# The two commands that matter: `make run` and `make test`.
VENV ?= .venv
PYTEST_ARGS ?=
PY := $(VENV)/bin/python
PYTHON ?= python3
# The whole dependency tree, pinned with hashes (`make lock` writes both files from pyproject.toml).
LOCK := requirements-dev.lock
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml $(wildcard $(LOCK)) | sha1sum | cut -c1-12)

.PHONY: install run test test-fast test-py312 test-py313 ci lock faults lint migrations-check typecheck typecheck-baseline \
	security bandit probe audit audit-refresh chromium messages check-deploy bench

## install: the virtualenv (VENV, default .venv) from the dev lock, then the project itself
install: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

## run: the whole system (web, worker, beat, demo data) at http://127.0.0.1:8000
run: $(STAMP)
	$(PY) -m devstack run

## test: the whole suite, against embedded PostgreSQL/Redis unless DATABASE_URL/REDIS_URL are set,
## in PYTEST_WORKERS processes (pytest-xdist; one per core of the 2-core machine; 0 runs it in one)
PYTEST_WORKERS ?= 2
test: $(STAMP) chromium
	$(PY) -m devstack exec -- $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## test-fast: the whole suite but the browser tests (no Chromium needed)
test-fast: $(STAMP)
	$(PY) -m devstack exec -- $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS) -m "not browser and not faults"

## ci: what CI runs (.ci/run), cheapest first: lint, migrations, deploy checks, types, then the whole suite
ci: lint migrations-check check-deploy typecheck test

## test-py312, test-py313: the same suite on Python 3.12 / 3.13 (pyenv's interpreter, else python3.1x on
## PATH), in a venv of its own under ~/.cache/casework-venvs, installed from the lock like .venv
ALT_VENVS ?= $(HOME)/.cache/casework-venvs
PYENV_ROOT ?= $(HOME)/.pyenv
test-py312 test-py313: test-py3%: chromium
	@v=3.$*; \
	py=$$(ls -d $(PYENV_ROOT)/versions/$$v.*/bin/python$$v 2>/dev/null | sort -V | tail -1); \
	py=$${py:-$$(command -v python$$v)}; \
	test -n "$$py" || { echo "No Python $$v found (pyenv install $$v)" >&2; exit 1; }; \
	venv=$(ALT_VENVS)/py3$*; \
	$(MAKE) --no-print-directory VENV=$$venv PYTHON=$$py install || exit 1; \
	$$venv/bin/python --version; \
	$$venv/bin/python -m devstack exec -- $$venv/bin/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## bench: every key page and API endpoint on an invented register of 100,000 referrals (kept in
## .devdata/bench), served by gunicorn with the production settings and timed side by side with Django
## itself; exits non-zero when a row misses issue #16's targets. BENCH_ARGS="--scale N" or "--quick"
BENCH_ARGS ?=
bench: $(STAMP)
	$(PY) -m tools.bench $(BENCH_ARGS)

## lock: pin the whole tree after a change to pyproject.toml's dependencies: requirements.lock (the
## image) and requirements-dev.lock (make install); versions already locked stay unless pyproject moves them
LOCK_ARGS := --universal --python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock"
lock:
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra test $(LOCK_ARGS) -o requirements-dev.lock
	$(VENV)/bin/uv pip compile pyproject.toml -c requirements-dev.lock $(LOCK_ARGS) -o requirements.lock

## faults: fault injection (own Redis, a real worker, a dedicated database); not part of `make test`
## Each scenario FAULTS_RUNS times (default 5), each with and without CPU load.
FAULTS_RUNS ?= 5
faults: $(STAMP)
	FAULTS_RUNS=$(FAULTS_RUNS) $(PY) -m devstack exec -- $(PY) -m pytest tests/faults -m faults -q -p no:xdist

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

## lint: ruff (rules and format), and the import contracts once pyproject.toml declares them
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@if [ -f .importlinter ] || grep -q '^\[tool.importlinter\]' pyproject.toml; then \
	  echo "$(VENV)/bin/lint-imports"; $(VENV)/bin/lint-imports; fi

## migrations-check: every model change has its migration
migrations-check: $(STAMP)
	$(PY) -m devstack exec -- $(PY) manage.py makemigrations --check --dry-run

## typecheck: mypy (django-stubs) against typecheck-baseline.txt: a new error fails, and so does a
## fixed one still recorded (the baseline may only shrink: `make typecheck-baseline` rewrites it)
typecheck: $(STAMP)
	$(PY) tools/mypy_baseline.py

typecheck-baseline: $(STAMP)
	$(PY) tools/mypy_baseline.py --update

## security: bandit over the project's code; any finding above low severity fails
## (an accepted one carries "# nosec <test id>" with the reason beside it)
bandit: $(STAMP)
	$(VENV)/bin/bandit -c pyproject.toml -r . -ll -q

## security: bandit, then the attacker's probe (`probe`) of the running `make run` stack
security: bandit probe

## audit: installed dependencies against the advisory snapshot in security/advisories (offline);
## fails on an affected version; warns when the snapshot is over 30 days old (AUDIT_STRICT_AGE=1 fails)
audit: $(STAMP)
	$(PY) security/audit.py

## probe: the attacker's probe of a running `make run` stack (PROBE_URL, default http://127.0.0.1:8000):
## cross-organisation crawl, forged POSTs, form fuzzing, API matrix, pg_dump scan; PROBE_ARGS=--quick
PROBE_ARGS ?=
probe: $(STAMP)
	$(PY) security/probe.py $(PROBE_ARGS)

## audit-refresh: rewrite that snapshot from OSV's PyPI export (needs internet); commit the result
audit-refresh: $(STAMP)
	$(PY) security/refresh_advisories.py

messages: $(STAMP)
	$(PY) manage.py makemessages -l ru -l ky -l tg -l uz -l kk -l tk --ignore .venv --ignore staticfiles --no-obsolete
	$(PY) manage.py compilemessages --ignore .venv

## check-deploy: Django's deployment checks with the production settings; a warning fails
check-deploy: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
	FIELD_ENCRYPTION_KEYS=$$($(PY) -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())") \
	DATABASE_URL=postgresql://postgres@127.0.0.1:5432/casework REDIS_URL=redis://127.0.0.1:6379/0 \
	ALLOWED_HOSTS=casework.example.org $(PY) manage.py check --deploy --fail-level WARNING
