"""bench/ingest: inspections/s through the deployed HTTP path against the stack doing nothing.

Measured in one run, one gunicorn, the same C concurrent clients, on one PostgreSQL/PostGIS server with
production durability (fsync and synchronous commit on):
- floor (the ceiling): GET /healthz — middleware, routing, a JSON answer, no work — the request rate
  this stack allows on this machine, whatever the endpoint;
- one: PUT /api/v1/inspections/{uuid}?submit=true of a new 50-answer inspection (auth, validation,
  scoring, findings, audit, one durable commit) — target ≥ 0.10 of the floor: an inspection costs no
  more than ten empty requests;
- two: PUT /api/v1/inspections/{uuid} then POST …/submit — target ≥ 0.07 of the floor.
The modes take turns over 3 rounds and each keeps its best round (the machine may be shared: a burst of
other work during one mode must not decide the ratio).
Beside each rate: the SQL statements the server received per request (and per inspection), counted on
the server with pg_stat_statements (deltas over the mode; BEGIN, COMMIT, SAVEPOINT and Django's
per-request connection health check ``SELECT 1`` included; deploy/test-services.sh preloads it for
benchmarks), and the new database connections the mode opened (0: gunicorn's workers reuse theirs,
CONN_MAX_AGE). For information only: the CPU seconds per request of gunicorn's workers and of the
database's processes in each mode's best round (from /proc), and the floor's CPU per request over an
inspection's — the server's side only: the rates also carry the clients' own CPU on the same cores (~0.2
ms of a floor request's ~1 ms), so this share reads lower than the rates' ratio; it is steadier on a
shared machine, where the floor's rate alone moved by a quarter between runs of the same code; and a
raw single-row INSERT rate
(one commit each, a submission-sized row: the same ~2 KB answers as jsonb plus a point) — what the
database alone allows.

Run with ``deploy/run-bench.sh ingest`` (which starts the throwaway database) or, with DATABASE_URL set,
``python bench/ingest/run.py --inspections 2000 --clients 8``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

TARGETS = {"one": 0.10, "two": 0.07}  # of the floor


def answers(i: int) -> dict[str, dict[str, object]]:
    kinds = ["check", "check", "score", "deduct", "check", "measure", "check", "score", "info", "check"]
    out: dict[str, dict[str, object]] = {}
    for q in range(50):
        kind = kinds[q % 10]
        value: object = {
            "check": (q + i) % 7 != 0,
            "score": (q + i) % 5,
            "deduct": (q + i) % 4,
            "measure": 40 + (q * 7 + i) % 40,
            "info": f"检查意见 {q}：现场台账齐全，个别记录待补充。",
        }[kind]
        out[f"q{q:02d}"] = {"value": value, "comment": "" if q % 3 else "已拍照留存"}
    return out


def setup(n_clients: int) -> tuple[int, list[str]]:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts.models import RoleGrant, User
    from accounts.services import _token_create
    from checklists.services.templates import templates_sync
    from geo.models import Region
    from geo.services import region_create

    templates_sync(directory=Path(__file__).parent)
    district = Region.objects.filter(level="district").first() or region_create(
        level="district", name="基准区"
    )
    town = Region.objects.filter(level="town").first() or region_create(
        level="town", name="基准镇", parent=district
    )
    tokens = []
    for c in range(n_clients):
        user, _ = User.objects.get_or_create(username=f"bench-inspector-{c}")
        RoleGrant.objects.get_or_create(user=user, role="inspector", region=town)
        raw, _ = _token_create(user=user, device_id=f"bench-{c}-{uuid.uuid4().hex[:6]}", device_name="bench")
        tokens.append(raw)
    return town.pk, tokens


# --- ceiling -------------------------------------------------------------------------------------------


def _dsn() -> str:
    url = os.environ["DATABASE_URL"].replace("postgis://", "postgresql://", 1)
    return url


def _ceiling_worker(args: tuple[int, int]) -> int:
    import psycopg

    client, n = args
    payload = json.dumps(answers(client), ensure_ascii=False)
    with psycopg.connect(_dsn(), autocommit=True) as conn:
        for _ in range(n):
            conn.execute(
                "INSERT INTO bench_ceiling (client_uuid, answers, location, created_at) "
                "VALUES (%s, %s::jsonb, ST_SetSRID(ST_MakePoint(121.17, 31.9), 4326), now())",
                (uuid.uuid4(), payload),
            )
    return n


def ceiling(n: int, clients: int) -> float:
    import psycopg

    with psycopg.connect(_dsn(), autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_ceiling")
        conn.execute(
            "CREATE TABLE bench_ceiling (id bigserial PRIMARY KEY, client_uuid uuid UNIQUE, answers jsonb, "
            "location geometry(Point, 4326), created_at timestamptz)"
        )
    per = n // clients
    start = time.perf_counter()
    with Pool(clients) as pool:
        done = sum(pool.map(_ceiling_worker, [(c, per) for c in range(clients)]))
    return done / (time.perf_counter() - start)


# --- statements (pg_stat_statements) ---------------------------------------------------------------------


def _stats_available() -> bool:
    import psycopg

    with psycopg.connect(_dsn(), autocommit=True) as conn:
        loaded = conn.execute("SHOW shared_preload_libraries").fetchone()[0]  # type: ignore[index]
        if "pg_stat_statements" not in loaded:
            return False
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
    return True


def _stats_reset() -> int:
    """Forget the statements counted so far; the number of connections opened so far."""
    import psycopg

    with psycopg.connect(_dsn(), autocommit=True) as conn:
        conn.execute("SELECT pg_stat_statements_reset()")
        return _sessions(conn)


def _sessions(conn: object) -> int:
    row = conn.execute(  # type: ignore[attr-defined]
        "SELECT sessions FROM pg_stat_database WHERE datname = current_database()"
    ).fetchone()
    return int(row[0])


# The referential checks PostgreSQL runs itself at COMMIT (Django's foreign keys are DEFERRABLE INITIALLY
# DEFERRED): pg_stat_statements lists them as top-level statements, but no client sent them.
# Their text is "SELECT 1 FROM ONLY …", or with the 1 normalised to "$2".
_FK_CHECK = re.compile(r"SELECT (1|\$\d+) FROM ONLY ")


def _stats_read() -> tuple[list[tuple[int, str]], int, int]:
    """(calls, statement) the clients sent since the reset (the bench's own bookkeeping left out,
    savepoint names merged), the foreign-key checks the server ran at COMMIT, the sessions so far."""
    import psycopg

    with psycopg.connect(_dsn(), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT calls, query FROM pg_stat_statements "
            "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND query NOT LIKE '%%pg_stat_statements%%' AND query NOT LIKE '%%pg_stat_database%%'"
        ).fetchall()
        sessions = _sessions(conn) - 1  # this connection is one of them
    sent: dict[str, int] = {}
    fk_checks = 0
    for calls, query in rows:
        if _FK_CHECK.match(query):
            fk_checks += int(calls)
            continue
        if query.startswith(("SAVEPOINT ", "RELEASE SAVEPOINT ", "ROLLBACK TO SAVEPOINT ")):
            query = query.rsplit(" ", 1)[0] + " …"
        sent[query] = sent.get(query, 0) + int(calls)
    return sorted(((c, q) for q, c in sent.items()), reverse=True), fk_checks, sessions


# --- CPU (information: less noisy than rates on a shared machine) -----------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _children(parent: int) -> list[int]:
    """The pids whose parent is ``parent`` (Linux /proc)."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(name))
    return found


def _cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) these processes have used so far; a process gone counts 0."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / _TICK
    return total


def _postmaster() -> int | None:
    """The throwaway cluster's postmaster, whose children are its backends."""
    import psycopg

    try:
        with psycopg.connect(_dsn(), autocommit=True) as conn:
            backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]  # type: ignore[index]
            return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError):  # another machine's server: no CPU figures
        return None


# --- API -----------------------------------------------------------------------------------------------


def _api_worker(args: tuple[int, str, int, int, int, str]) -> tuple[int, int]:
    client, token, town_id, n, port, mode = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    ok = failed = 0
    for i in range(n):
        if mode == "floor":  # the stack doing nothing: middleware, routing, a JSON answer
            conn.request("GET", "/healthz")
            r = conn.getresponse()
            r.read()
            ok, failed = (ok + 1, failed) if r.status == 200 else (ok, failed + 1)
            continue
        cu = uuid.uuid4()
        body = json.dumps({
            "template_key": "bench-50", "template_version": 1, "subject": {"kind": "town", "id": town_id},
            "answers": answers(client * 100000 + i), "device_started_at": "2022-09-20T09:30:00+08:00",
            "device_location": {"lon": 121.2, "lat": 31.9, "datum": "gcj02", "accuracy_m": 6},
        }, ensure_ascii=False).encode()  # fmt: skip
        if mode == "one":
            conn.request("PUT", f"/api/v1/inspections/{cu}?submit=true", body, headers)
            r = conn.getresponse()
            r.read()
            ok, failed = (ok + 1, failed) if r.status == 201 else (ok, failed + 1)
            continue
        conn.request("PUT", f"/api/v1/inspections/{cu}", body, headers)
        r = conn.getresponse()
        r.read()
        if r.status != 201:
            failed += 1
            continue
        conn.request("POST", f"/api/v1/inspections/{cu}/submit", b"{}", headers)
        r = conn.getresponse()
        r.read()
        ok, failed = (ok + 1, failed) if r.status == 200 else (ok, failed + 1)
    conn.close()
    return ok, failed


@dataclass
class Mode:
    rate: float  # requests/s (floor) or inspections/s
    requests: int
    inspections: int
    failed: int
    statements: list[tuple[int, str]] | None  # (calls, statement) the server received during the mode
    fk_checks: int | None  # foreign-key checks the server ran itself at COMMIT
    connections: int | None  # database connections opened during the mode
    cpu: tuple[float, float] | None = None  # CPU seconds per request: gunicorn's workers, the database

    def per_request(self) -> float | None:
        return None if self.statements is None else sum(c for c, _ in self.statements) / self.requests


def api(n: int, tokens: list[str], town_id: int, workers: int, threads: int, rounds: int) -> dict[str, Mode]:
    port = 18000 + os.getpid() % 1000
    env = {
        **os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads), "DEBUG": "0",
    }  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--access-logfile", "/dev/null",
         "--log-level", "warning", "backend.wsgi"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    counted = _stats_available()
    postmaster = _postmaster()
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        per = n // len(tokens)
        pool = Pool(len(tokens))  # the clients' processes exist before any clock starts
        # warm up every worker (imports, connection, template) outside the measurement
        pool.map(_api_worker, [(c, tok, town_id, 3, port, "two") for c, tok in enumerate(tokens)])
        # The modes take turns, round after round, and each keeps its best round: the machine is shared,
        # and a burst of other work during one mode's only run would otherwise decide the ratio. The
        # floor sends 5× as many requests a round (they are short).
        modes: dict[str, Mode] = {}
        for _ in range(rounds):
            for mode in ("floor", "two", "one"):
                count = per // rounds * (5 if mode == "floor" else 1)
                ran = _run(pool, mode, tokens, town_id, count, port, counted, (server.pid, postmaster))
                modes[mode] = _merge(modes.get(mode), ran)
        pool.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return modes


def _run(
    pool: Any, mode: str, tokens: list[str], town_id: int, per: int, port: int, counted: bool,
    parents: tuple[int, int | None],
) -> Mode:  # fmt: skip
    sessions = _stats_reset() if counted else 0
    workers = _children(parents[0])
    backends = _children(parents[1]) if parents[1] else []
    cpu_before = (_cpu(workers), _cpu(backends))
    start = time.perf_counter()
    results = pool.map(_api_worker, [(c, tok, town_id, per, port, mode) for c, tok in enumerate(tokens)])
    elapsed = time.perf_counter() - start
    cpu_after = (_cpu(workers), _cpu(backends))
    ok, failed = sum(r[0] for r in results), sum(r[1] for r in results)
    requests = (ok + failed) * (2 if mode == "two" else 1)
    statements, fk_checks, opened = _stats_read() if counted else (None, None, None)
    return Mode(
        rate=ok / elapsed,
        requests=requests,
        inspections=ok,
        failed=failed,
        statements=statements,
        fk_checks=fk_checks,
        connections=None if opened is None else opened - sessions,
        cpu=(
            (cpu_after[0] - cpu_before[0]) / max(requests, 1),
            (cpu_after[1] - cpu_before[1]) / max(requests, 1),
        ) if workers else None,
    )  # fmt: skip


def _merge(a: Mode | None, b: Mode) -> Mode:
    """The best rate of the rounds; requests, failures, statements and connections of all of them."""
    if a is None:
        return b
    best = a if a.rate >= b.rate else b
    statements = None
    if a.statements is not None and b.statements is not None:
        calls: dict[str, int] = {}
        for c, q in a.statements + b.statements:
            calls[q] = calls.get(q, 0) + c
        statements = sorted(((c, q) for q, c in calls.items()), reverse=True)
    return Mode(
        rate=max(a.rate, b.rate),
        requests=a.requests + b.requests,
        inspections=a.inspections + b.inspections,
        failed=a.failed + b.failed,
        statements=statements,
        fk_checks=None if a.fk_checks is None or b.fk_checks is None else a.fk_checks + b.fk_checks,
        connections=None if a.connections is None or b.connections is None else a.connections + b.connections,
        cpu=best.cpu,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--inspections", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", 0)) or None)
    parser.add_argument("--threads", type=int, default=int(os.environ.get("GUNICORN_THREADS", 0)) or None)
    parser.add_argument("--rounds", type=int, default=3, help="the modes take turns; each keeps its best")
    parser.add_argument("--no-ceiling", action="store_true", help="skip the raw INSERT figure")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgis://"):
        sys.exit("bench/ingest 需要 PostGIS：请用 make bench 运行，或设置 DATABASE_URL=postgis://…")
    # The production defaults of deploy/gunicorn.conf.py unless asked otherwise.
    conf: dict[str, object] = {}
    exec((ROOT / "deploy" / "gunicorn.conf.py").read_text(), conf)  # noqa: S102 - our own config file
    workers = args.workers or int(conf["workers"])  # type: ignore[call-overload]
    threads = args.threads or int(conf["threads"])  # type: ignore[call-overload]
    town_id, tokens = setup(args.clients)
    ceil = None if args.no_ceiling else ceiling(args.inspections * 2, args.clients)
    modes = api(args.inspections, tokens, town_id, workers, threads, args.rounds)
    print(
        f"bench/ingest  cores={os.cpu_count()}  load={os.getloadavg()[0]:.1f}  clients={args.clients}  "
        f"gunicorn workers={workers} threads={threads}  best of {args.rounds} rounds"
    )
    floor = modes.pop("floor")
    print(f"  floor  GET /healthz, same server and clients (no work):  {floor.rate:8.0f} requests/s"
          f"  failed={floor.failed}  {_statements(floor)}")  # fmt: skip
    labels = {"two": "PUT 50 answers, then POST submit (2 requests)", "one": "PUT ?submit=true (1 request)"}
    verdicts = []
    for mode, m in modes.items():
        ratio = m.rate / floor.rate
        verdict = "PASS" if ratio >= TARGETS[mode] and not m.failed else "FAIL"
        verdicts.append(verdict)
        print(
            f"  {mode:<5}  {labels[mode]:<46}  {m.rate:8.0f} inspections/s  failed={m.failed}  "
            + _statements(m)
        )
        print(f"         of the floor {ratio:.3f}  target ≥ {TARGETS[mode]:.2f}  → {verdict}")  # fmt: skip
    if floor.cpu is not None:
        # CPU per request is what the machine spends, whoever else shares it: steadier than the rates.
        base = sum(floor.cpu)
        print("  (info) server CPU a request, best round: workers + database (ms; clients not counted):")
        print(f"         floor {1000 * floor.cpu[0]:.2f} + {1000 * floor.cpu[1]:.2f}")
        for mode, m in modes.items():
            if m.cpu is not None:
                per = sum(m.cpu) * m.requests / max(m.inspections + m.failed, 1)  # per inspection
                print(
                    f"         {mode:<5} {1000 * m.cpu[0]:.2f} + {1000 * m.cpu[1]:.2f} a request; "
                    f"floor's CPU / inspection's {base / per:.3f}"
                )
    if ceil is not None:
        print(f"  (info) raw single-row INSERT + commit (~2 KB jsonb + point): {ceil:8.0f} rows/s")
    for mode, m in modes.items():
        if m.statements is None:
            continue
        print(f"  {labels[mode]}, per inspection as received (pg_stat_statements; SELECT $1: health check):")
        for calls, query in m.statements[:20]:
            if calls / m.inspections >= 0.05:
                print(f"    {calls / m.inspections:5.2f}  {' '.join(query.split())[:100]}")
    if "FAIL" in verdicts:
        sys.exit(1)


def _statements(m: Mode) -> str:
    per = m.per_request()
    if per is None:
        return "statements: n/a (pg_stat_statements not preloaded)"
    inspection = f", {per * m.requests / m.inspections:.1f}/inspection" if m.requests != m.inspections else ""
    fk = f" (+{(m.fk_checks or 0) / m.requests:.1f} FK checks at COMMIT)" if m.fk_checks else ""
    return f"statements {per:.1f}/request{inspection}{fk}  new db connections {m.connections}"


if __name__ == "__main__":
    main()
