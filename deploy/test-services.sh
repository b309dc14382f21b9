#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL + PostGIS cluster and a Redis server on loopback for the tests.
#   deploy/test-services.sh start DIR   → writes DIR/env (DATABASE_URL=…, FIELDSCORE_TEST_REDIS_URL=…)
#   deploy/test-services.sh stop DIR    → stops both and removes DIR
# Nothing listens beyond 127.0.0.1; the data lives only in DIR.
set -euo pipefail

cmd=${1:?start|stop}
dir=${2:?state directory}

pg_bin() {
  local v
  v=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n1)
  [[ -n "$v" ]] || { echo "找不到 PostgreSQL（/usr/lib/postgresql）" >&2; exit 1; }
  echo "/usr/lib/postgresql/$v/bin"
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

as_pg_user() {
  # initdb and postgres refuse to run as root.
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
start)
  mkdir -p "$dir"
  chmod 755 "$dir"
  bin=$(pg_bin)
  pg_port=$(free_port)
  redis_port=$(free_port)
  mkdir -p "$dir/pg" "$dir/sock"
  touch "$dir/pg.log"
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$dir/pg" "$dir/sock" "$dir/pg.log"; fi
  as_pg_user "$bin/initdb" -D "$dir/pg" -U fieldscore --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
  opts="-p $pg_port -k $dir/sock -c listen_addresses=127.0.0.1 -c max_connections=200"
  # Tests trade durability for speed; benchmarks (PG_DURABLE=1) keep production's fsync and commits.
  [[ "${PG_DURABLE:-0}" == 1 ]] || opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  # Benchmarks also count the statements the server receives (bench/ingest reads pg_stat_statements).
  if [[ "${PG_DURABLE:-0}" == 1 ]]; then opts="$opts -c shared_preload_libraries=pg_stat_statements"; fi
  as_pg_user "$bin/pg_ctl" -D "$dir/pg" -l "$dir/pg.log" -w -t 60 start -o "$opts" >/dev/null
  psql -h 127.0.0.1 -p "$pg_port" -U fieldscore -d postgres -qc "CREATE DATABASE fieldscore" >/dev/null
  psql -h 127.0.0.1 -p "$pg_port" -U fieldscore -d fieldscore -qc "CREATE EXTENSION postgis" >/dev/null
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
    --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir"
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  redis-cli -p "$redis_port" ping >/dev/null
  cat >"$dir/env" <<ENV
export DATABASE_URL=postgis://fieldscore@127.0.0.1:$pg_port/fieldscore
export FIELDSCORE_TEST_REDIS_URL=redis://127.0.0.1:$redis_port/0
ENV
  echo ">>> PostGIS 127.0.0.1:$pg_port，Redis 127.0.0.1:$redis_port（临时，数据在 $dir）"
  ;;
stop)
  [[ -d "$dir" ]] || exit 0
  if [[ -f "$dir/redis.pid" ]]; then kill "$(cat "$dir/redis.pid")" 2>/dev/null || true; fi
  if [[ -f "$dir/pg/postmaster.pid" ]]; then as_pg_user "$(pg_bin)/pg_ctl" -D "$dir/pg" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
