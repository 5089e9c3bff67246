# Gongzhi: `make run` serves the demo city; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENDOR := gongzhi/static/vendor
export DJANGO_SETTINGS_MODULE := gongzhi.settings
# pytest runs on this many processes (pytest-xdist; each has its own test database): 2 keeps `make test` well under
# 20 minutes on a 2-core machine. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2

.PHONY: install run test lint typecheck layers migrations-check pytest browser assets messages serve-check clean

install: $(VENV)/.installed $(VENDOR)/.installed messages

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(VENDOR)/.installed: node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	touch $@

assets: $(VENDOR)/.installed

messages: $(VENV)/.installed
	$(BIN)/python -m gongzhi.lib.compile_messages

# `make run` serves plain http on 127.0.0.1, so it turns SECURE_COOKIES off (a deployment keeps it on, the
# default); its first run writes a random secret key to $GONGZHI_VAR_DIR/secret_key (docs/configuration.md).
run: export SECURE_COOKIES ?= false
run: install
	$(BIN)/gongzhi make_secret_key
	@echo "make run: SECURE_COOKIES=$$SECURE_COOKIES: cookies also go over plain http (for 127.0.0.1 only, not a deployment)"
	$(BIN)/gongzhi migrate --noinput -v 0
	$(BIN)/gongzhi createcachetable
	$(BIN)/gongzhi collectstatic --noinput -v 0
	$(BIN)/gongzhi demo --if-empty --train-classifier
	$(BIN)/gongzhi serve --with-worker

# Debian's chromium drives the browser tests (never a downloaded browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-noto-cjk; }

lint: install
	$(BIN)/ruff check gongzhi bench

typecheck: install
	$(BIN)/mypy gongzhi

# The import layers (contracts in pyproject.toml): lib < core < mechanism apps; apps meet through queries and hooks.
layers: install
	$(BIN)/lint-imports

migrations-check: install
	$(BIN)/gongzhi makemigrations --check --dry-run

pytest: install browser
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: install browser
	$(BIN)/ruff check gongzhi bench
	$(BIN)/mypy gongzhi
	$(BIN)/lint-imports
	$(BIN)/gongzhi makemigrations --check --dry-run
	$(BIN)/pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var/static
