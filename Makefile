# Tandem: `make run` and `make test` each set themselves up from nothing.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install migrate seed lint bench messages translations clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

var:
	mkdir -p var

translations: install
	DEBUG=1 $(PY) manage.py compile_translations

migrate: install var translations
	DEBUG=1 $(PY) manage.py migrate --noinput

seed: migrate
	DEBUG=1 $(PY) manage.py seed_demo

run: seed
	@echo "Tandem is at http://127.0.0.1:8000 (stop with Ctrl+C)"
	DEBUG=1 $(VENV)/bin/daphne -b 127.0.0.1 -p 8000 tandem.asgi:application

test: install translations
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: install
	$(PY) tests/bench/run.py $(BENCH_ARGS)
	$(PY) tests/bench/statement_pdf.py

# Refresh the catalogues from the source (needs GNU gettext; translators' tool only).
messages: install
	DEBUG=1 $(PY) manage.py makemessages --no-obsolete --no-location --ignore='.venv/*' --ignore='tests/*' --ignore='var/*' \
		-l fi -l sv -l nl -l fr -l ar -l fa -l uk -l tr -l so

clean:
	rm -rf $(VENV) var
