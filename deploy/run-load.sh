#!/usr/bin/env bash
# The load test (bench/load): a compressed busy day on a throwaway PostGIS (production durability) +
# Redis, gunicorn (deploy/gunicorn.conf.py) and a real Celery worker, driven by Locust from its own
# virtual environment (.venv-load, bench/load/requirements.lock). Then the drain, the database checks
# and the summary table. The run's files (Locust's HTML report and CSVs, queue samples, logs,
# summary.md) stay in var/load/<UTC time>/.
#   deploy/run-load.sh                 10 minutes (LOAD_DURATION=2m for a short try)
#   FIELDSCORE_VENV=/path/to/venv      use that installed service venv instead of `make venv`'s .venv
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${LOAD_DURATION:-10m}
deploy/bootstrap-system.sh --test
venv=${FIELDSCORE_VENV:-.venv}
[[ -n "${FIELDSCORE_VENV:-}" ]] || make -s venv
if [[ ! -f .venv-load/.installed || bench/load/requirements.lock -nt .venv-load/.installed ]]; then
  echo ">>> 安装 Locust（bench/load/requirements.lock，校验哈希，独立虚拟环境 .venv-load/）"
  rm -rf .venv-load
  "${PYTHON:-/usr/bin/python3}" -m venv .venv-load
  .venv-load/bin/pip install -q --disable-pip-version-check --require-hashes -r bench/load/requirements.lock
  touch .venv-load/.installed
fi

run="$(pwd)/var/load/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$run"
state=$(mktemp -d /tmp/fieldscore-load.XXXXXX)
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  deploy/test-services.sh stop "$state"
}
trap stop EXIT INT TERM
PG_DURABLE=1 deploy/test-services.sh start "$state"
# shellcheck disable=SC1091
source "$state/env"
export FIELDSCORE_VAR_DIR="$state/var" CELERY_BROKER_URL="$FIELDSCORE_TEST_REDIS_URL" DEBUG=0 \
  SECRET_KEY="load-test-only" ALLOWED_HOSTS="127.0.0.1,localhost"
mkdir -p "$FIELDSCORE_VAR_DIR"

echo ">>> 准备数据：海门演示数据 + 500 部手机 / 20 名区级用户 / 10 名规划用户 + 照片池"
"$venv"/bin/python bench/load/seed.py "$run"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
GUNICORN_BIND="127.0.0.1:$port" "$venv"/bin/gunicorn -c deploy/gunicorn.conf.py --access-logfile /dev/null \
  backend.wsgi >"$run/gunicorn.log" 2>&1 &
pids+=($!)
"$venv"/bin/celery -A backend worker --beat --schedule "$state/beat-schedule" --loglevel INFO \
  --concurrency "${CELERY_CONCURRENCY:-2}" >"$run/celery.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null
# Warm every gunicorn worker (the URL conf and the API's schemas are built on a worker's first request):
# a cold start is no part of a busy day.
seq 20 | xargs -P 10 -I{} curl -fsS -o /dev/null "http://127.0.0.1:$port/api/v1/openapi.json"

"$venv"/bin/python bench/load/check.py drain "$run"
"$venv"/bin/python bench/load/check.py sample "$run" &
pids+=($!)
echo ">>> Locust：$duration，530 个用户，http://127.0.0.1:$port（报告在 $run）"
status=0
LOAD_SEED="$run/seed.json" .venv-load/bin/locust -f bench/load/locustfile.py --headless \
  --host "http://127.0.0.1:$port" --users 530 --spawn-rate "${LOAD_SPAWN_RATE:-20}" --run-time "$duration" \
  --stop-timeout 30 --html "$run/report.html" --csv "$run/locust" --csv-full-history \
  --only-summary --loglevel WARNING >"$run/locust.log" 2>&1 || status=$?
date +%s.%N >"$run/ended"
echo ">>> Locust 结束（退出码 $status）；等待 Celery 队列清空，然后检查数据库"
"$venv"/bin/python bench/load/check.py report "$run" || status=1
# What the summary cannot see: tracebacks of the service (a 5xx, logged) and of failed Celery tasks.
n=$(grep -c '^Traceback' "$run/gunicorn.log" || true)
((n == 0)) || { echo ">>> FAIL  服务端异常 $n 次：见 $run/gunicorn.log 与 $run/locust_failures.csv"; status=1; }
n=$(grep -c 'raised unexpected' "$run/celery.log" || true)
((n == 0)) || { echo ">>> FAIL  Celery 任务失败 $n 次：见 $run/celery.log"; status=1; }
echo ">>> 报告：$run/report.html、$run/summary.md"
exit $status
