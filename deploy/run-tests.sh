#!/usr/bin/env bash
# The whole test suite: lint, migrations check, then pytest on SpatiaLite and on PostGIS + Redis.
# Installs what is missing, starts throwaway PostgreSQL/PostGIS and Redis on loopback, and stops them
# on exit, also on failure or interrupt.
set -euo pipefail
cd "$(dirname "$0")/.."

start=$(date +%s)
deploy/bootstrap-system.sh --test
make -s venv

echo ">>> ruff、import-linter、mypy、迁移检查"
.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --diff . | head -50; exit 1; }
.venv/bin/lint-imports --no-cache >/dev/null || .venv/bin/lint-imports --no-cache
# The modules and settings are in pyproject.toml ([tool.mypy]); django-stubs reads tests.settings.
env -u DATABASE_URL FIELDSCORE_VAR_DIR="$(mktemp -d)" .venv/bin/mypy
env -u DATABASE_URL FIELDSCORE_VAR_DIR="$(mktemp -d)" .venv/bin/python manage.py makemigrations --check --dry-run >/dev/null

rm -rf var/screenshots  # only this run's pages
state=$(mktemp -d /tmp/fieldscore-test.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; deploy/test-services.sh stop "$state"' EXIT INT TERM
deploy/test-services.sh start "$state"

# The two databases run side by side (one pytest process each; CI has two cores), each with its own var
# folder; their output is printed one after the other when both have ended. Each test has a watchdog
# (tests/conftest.py): a hang ends that run with every thread's stack instead of using up CI's time.
mkdir -p "$state/var-sqlite" "$state/var-postgis"
echo ">>> 测试：SpatiaLite（嵌入式默认，Celery 即时执行）与 PostGIS + Redis + 真实 Celery worker 并行运行"
(
  env -u DATABASE_URL -u FIELDSCORE_TEST_REDIS_URL FIELDSCORE_VAR_DIR="$state/var-sqlite" \
    .venv/bin/pytest -p no:cacheprovider "$@" >"$state/sqlite.log" 2>&1
) &
sqlite_pid=$!
(
  # shellcheck disable=SC1091
  source "$state/env"
  FIELDSCORE_VAR_DIR="$state/var-postgis" .venv/bin/pytest -p no:cacheprovider "$@" >"$state/postgis.log" 2>&1
) &
postgis_pid=$!
status=0
wait $sqlite_pid || status=$?
echo ">>> 测试 1/2：SpatiaLite（嵌入式默认），Celery 即时执行"
cat "$state/sqlite.log"
wait $postgis_pid || status=$?
echo ">>> 测试 2/2：PostGIS + Redis + 真实 Celery worker"
cat "$state/postgis.log"

# The browser tests (tests/console) leave a screenshot of each page they visit, per database.
if compgen -G "var/screenshots/*/*.png" >/dev/null; then
  echo ">>> 控制台截图：$(pwd)/var/screenshots/（$(find var/screenshots -name '*.png' | wc -l) 张）"
fi
echo ">>> 用时 $(( $(date +%s) - start )) 秒"
exit $status
