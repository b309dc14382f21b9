# fieldscore — two commands on a fresh Debian 12 / Ubuntu machine (root or sudo):
#   make demo   run the service on the embedded default with Haimen demo data at http://127.0.0.1:8000
#   make test   run the whole suite on SpatiaLite and on PostGIS + Redis + a real Celery worker
# Both install what is missing (Debian packages, the virtual environment in .venv/) by themselves.

# Debian's python3: its sqlite3 can load the SpatiaLite extension (some self-built Pythons cannot).
PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test venv system lint bench load clean-demo vendor

system:
	@deploy/bootstrap-system.sh

$(VENV)/.installed: requirements.lock
	@deploy/bootstrap-system.sh
	@$(PY) -m pip --version >/dev/null 2>&1 || { rm -rf $(VENV) && $(PYTHON) -m venv $(VENV); }
	@echo ">>> 安装 Python 依赖（requirements.lock，校验哈希）"
	@$(PY) -m pip install -q --disable-pip-version-check --require-hashes -r requirements.lock
	@touch $@

venv: $(VENV)/.installed

demo: venv
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	@echo ">>> 控制台 http://$(HOST):$(PORT)/console/  接口文档 http://$(HOST):$(PORT)/api/v1/docs  后台 http://$(HOST):$(PORT)/admin/"
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

test:
	@deploy/run-tests.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	env -u DATABASE_URL FIELDSCORE_VAR_DIR="$$(mktemp -d)" $(VENV)/bin/mypy


# The console's front-end libraries (htmx, ECharts): pinned by console/package-lock.json, copied into
# console/static/console/vendor/ with a sha384 manifest. The copies are committed: the service never needs npm.
vendor:
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	cp console/package.json console/package-lock.json "$$tmp"/ && \
	(cd "$$tmp" && npm ci --ignore-scripts --no-audit --no-fund --silent) && \
	$(PYTHON) -m console.vendoring "$$tmp/node_modules" && $(PYTHON) -m console.vendoring --check

bench:
	@deploy/run-bench.sh

# The load test (bench/load, Locust in its own .venv-load/): a compressed busy day for LOAD_DURATION
# (default 10m; `make load LOAD_DURATION=2m` to try it). Report in var/load/<time>/.
LOAD_DURATION ?= 10m
load:
	@LOAD_DURATION=$(LOAD_DURATION) deploy/run-load.sh

clean-demo:
	rm -f var/fieldscore.sqlite3
