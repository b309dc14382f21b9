"""bench/ingest: inspections/s through the deployed HTTP path next to a raw INSERT ceiling.

Measured in one run on one PostgreSQL/PostGIS server (production durability: fsync and synchronous
commit on):
- ceiling: C concurrent clients doing plain single-row INSERTs, one commit each, of one
  submission-sized row (the same ~2 KB answers as jsonb plus a point) — what the database alone allows;
- API: C concurrent clients each doing, per inspection, PUT /api/v1/inspections/{uuid} (50 answers)
  then POST …/submit through gunicorn (auth, validation, scoring, findings, audit).
- floor: the same clients doing GET /healthz through the same gunicorn — the request rate of the stack
  doing no work at all, which bounds any endpoint's rate on this machine.
Prints the rates and the ratio; the target is a ratio of at least 0.15.

Run with ``make bench`` (which starts the throwaway database) or, with DATABASE_URL set,
``python bench/ingest/run.py --inspections 2000 --clients 8``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import time
import uuid
from multiprocessing import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")

TARGET = 0.15


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


def api(n: int, tokens: list[str], town_id: int, workers: int) -> dict[str, tuple[float, int]]:
    port = 18000 + os.getpid() % 1000
    env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers), "DEBUG": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "--access-logfile", "/dev/null",
         "--log-level", "warning", "backend.wsgi"],
        cwd=ROOT, env=env,
    )  # fmt: skip
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
        # warm up every worker (imports, template cache) outside the measurement
        with Pool(len(tokens)) as pool:
            pool.map(_api_worker, [(c, tok, town_id, 3, port, "two") for c, tok in enumerate(tokens)])
        rates = {}
        for mode in ("floor", "two", "one"):
            start = time.perf_counter()
            with Pool(len(tokens)) as pool:
                results = pool.map(
                    _api_worker, [(c, tok, town_id, per, port, mode) for c, tok in enumerate(tokens)]
                )
            elapsed = time.perf_counter() - start
            rates[mode] = (sum(r[0] for r in results) / elapsed, sum(r[1] for r in results))
    finally:
        server.terminate()
        server.wait(timeout=30)
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--inspections", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1) + 1))
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgis://"):
        sys.exit("bench/ingest 需要 PostGIS：请用 make bench 运行，或设置 DATABASE_URL=postgis://…")
    town_id, tokens = setup(args.clients)
    ceil = ceiling(args.inspections * 2, args.clients)
    rates = api(args.inspections, tokens, town_id, args.workers)
    print(f"bench/ingest  cores={os.cpu_count()}  clients={args.clients}  gunicorn workers={args.workers}")
    print(f"  ceiling   raw single-row INSERT + commit (~2 KB jsonb + point): {ceil:8.0f} rows/s")
    floor, _ = rates.pop("floor")
    print(f"  floor     GET /healthz, same server and clients (no work): {floor:8.0f} requests/s")
    labels = {"two": "PUT 50 answers, then POST submit (2 requests)", "one": "PUT ?submit=true (1 request)"}
    for mode, (rate, failed) in rates.items():
        ratio = rate / ceil
        verdict = "PASS" if ratio >= TARGET and not failed else "FAIL"
        print(f"  api       {labels[mode]:<46} {rate:8.0f} inspections/s  failed={failed}")
        print(f"            ratio {ratio:.3f}  target ≥ {TARGET:.2f}  → {verdict}")


if __name__ == "__main__":
    main()
