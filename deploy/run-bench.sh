#!/usr/bin/env bash
# Benchmarks on a throwaway PostgreSQL/PostGIS with production durability (fsync, synchronous commit).
#   deploy/run-bench.sh [ingest]    (default: every benchmark under bench/)
set -euo pipefail
cd "$(dirname "$0")/.."
deploy/bootstrap-system.sh --test
make -s venv
state=$(mktemp -d /tmp/fieldscore-bench.XXXXXX)
trap 'deploy/test-services.sh stop "$state"' EXIT INT TERM
PG_DURABLE=1 deploy/test-services.sh start "$state"
# shellcheck disable=SC1091
source "$state/env"
export FIELDSCORE_VAR_DIR="$state/var" CELERY_BROKER_URL="$FIELDSCORE_TEST_REDIS_URL"
mkdir -p "$FIELDSCORE_VAR_DIR"
names=("$@")
((${#names[@]})) || names=(ingest photos scoreboard water sewage ledger_export console tiles upstream fieldapp air dekad)
# Every benchmark runs, whatever the verdict of the one before; the exit status says whether all passed.
failed=()
for name in "${names[@]}"; do
  .venv/bin/python "bench/$name/run.py" || failed+=("$name")
done
if ((${#failed[@]})); then
  echo ">>> 未达标（或未能运行）的基准：${failed[*]}"
  exit 1
fi
