# Mentor Match: `make run` starts the service with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app mentoring
STATIC := mentoring/static
CHROMIUM ?= /usr/bin/chromium
PYTEST_ARGS ?=

.PHONY: run serve test setup assets db demo chromium lint format bench bench-reports bench-load restore-check audit clean

run: setup db demo ## Set up, migrate SQLite, load demo data, serve on http://127.0.0.1:5000
	@echo "Mentor Match is starting on http://127.0.0.1:5000"
	@$(FLASK) demo-accounts
	$(FLASK) run --host 127.0.0.1 --port 5000

serve: setup ## Production-like: gunicorn and one job worker on DATABASE_URL and REDIS_URL (docs/deploy.md)
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL (PostgreSQL) and REDIS_URL first: see docs/deploy.md"; exit 2; }
	$(FLASK) db upgrade
	$(FLASK) worker & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
		$(BIN)/gunicorn -c gunicorn.conf.py 'mentoring:create_app()'

audit: setup ## Installed packages against known vulnerabilities (shipped snapshot, and PyPI when it answers)
	$(BIN)/python scripts/audit_dependencies.py

restore-check: setup ## Dump DATABASE_URL, restore it into a scratch database and check it
	$(BIN)/python scripts/restore_check.py

test: setup chromium ## Set up and run the whole suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

setup: $(VENV)/.installed assets

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: $(STATIC)/app.css $(STATIC)/govuk/govuk-frontend.min.js

$(STATIC)/govuk/govuk-frontend.min.js: node_modules/.installed
	mkdir -p $(STATIC)/govuk
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(STATIC)/govuk/
	cp -r node_modules/govuk-frontend/dist/govuk/assets $(STATIC)/govuk/

$(STATIC)/app.css: mentoring/assets/app.scss node_modules/.installed
	node_modules/.bin/sass --load-path=node_modules --style=compressed --no-source-map \
		--quiet-deps mentoring/assets/app.scss $@

db: setup ## Apply migrations to the configured database (SQLite in instance/ by default)
	$(FLASK) db upgrade

demo: db ## Load the demo data set (demo/data.py) if the database has none
	$(FLASK) demo-data

chromium: ## Install Debian's chromium for the browser tests if it is missing
	@test -x $(CHROMIUM) || { echo "Installing chromium (Debian package)"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq --no-install-recommends chromium; }

lint: setup ## Ruff, mypy and the import contracts (docs/architecture.md)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup ## The engine's benchmark, a stored run over the demo data, a county-scale stored run on PostgreSQL
	$(BIN)/python -m matching.bench
	$(BIN)/python -m matching.bench_recruit
	$(BIN)/python benchmarks/matching_run.py
	$(BIN)/python benchmarks/county_run.py

bench-reports: setup ## Report pages against a large data set (demo/volume: 50,000 families, 10,000 mentors)
	$(BIN)/python benchmarks/reports.py

bench-load: setup ## 50 users for 2 minutes against gunicorn (4 workers) on PostgreSQL, and the dev server
	$(BIN)/python benchmarks/load.py

clean:
	rm -rf $(VENV) node_modules $(STATIC)/govuk $(STATIC)/app.css .pytest_cache test-output
