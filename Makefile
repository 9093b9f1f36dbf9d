# The hub's two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint format venv messages bench

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	@touch $(STAMP)

# Web server, Celery worker and beat in the foreground (Ctrl-C stops all three).
# Embedded default: SQLite and a file broker under var/. Set DATABASE_URL and
# CELERY_BROKER_URL (and REDIS_URL) to run on PostgreSQL and Redis.
run: venv
	@export DEBUG=$${DEBUG:-1} PORT=$(PORT) PATH="$(CURDIR)/$(VENV)/bin:$$PATH"; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py seed_demo && \
	$(PY) manage.py hub_banner --port $(PORT) && \
	HUB_PORT=$(PORT) exec $(VENV)/bin/honcho --no-colour start -f Procfile

# Every test, against PostgreSQL and Redis on localhost (override with DATABASE_URL, REDIS_URL, CELERY_BROKER_URL).
test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: venv
	DEBUG=1 $(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=var --no-obsolete
	DEBUG=1 $(PY) manage.py compilemessages -l zh_Hans --ignore=.venv
