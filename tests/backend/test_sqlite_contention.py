"""The embedded default under concurrent writes: two gunicorn processes on one SpatiaLite file.

SQLite allows one writer. A transaction that starts by reading and then writes (most services do) cannot
wait for the write lock once another connection committed in between: SQLite answers "database is
locked" at once, whatever the busy timeout. Writes therefore take the lock up front (``BEGIN
IMMEDIATE``) and wait for it; a lock held longer than the timeout is a 503 to retry, never a 500.
"""

from __future__ import annotations

import sqlite3
import threading
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.servers import call, manage, manage_json, project_env, start_gunicorn

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("spatialite"),
    reason="嵌入式默认（SpatiaLite）的并发测试，在 SpatiaLite 一轮运行",
)

PHONES = 12
WRITES_PER_PHONE = 8

SEED = f"""
import json
from checklists.services.templates import templates_sync
from geo.models import RegionLevel
from tests.factories import FacilityFactory, RegionFactory, RoleGrantFactory, UserFactory
from accounts.services import _token_create
templates_sync()
d = RegionFactory(level=RegionLevel.DISTRICT, name="海门区", code="320614000000")
t = RegionFactory(level=RegionLevel.TOWN, name="常乐镇", parent=d, code="320614103000")
v = RegionFactory(level=RegionLevel.VILLAGE, name="甲村", parent=t)
f = FacilityFactory(village=v, code="WS-A")
tokens = []
for i in range({PHONES}):
    u = UserFactory(username=f"jiancha{{i}}")
    RoleGrantFactory(user=u, role="inspector", region=t)
    tokens.append(_token_create(user=u, device_id="phone", device_name="手机")[0])
print(json.dumps({{"facility": f.pk, "tokens": tokens}}))
"""

ANSWERS = {
    "op.running": {"value": True},
    "op.damage": {"value": True},
    "op.beyond-repair": {"value": True},
    "op.pipe-network": {"value": True},
    "op.capacity-match": {"value": True},
    "op.maintenance": {"value": True},
    "ledger.meter": {"value": True},
    "ledger.meter-number": {"value": "320600001111"},
    "ledger.operator": {"value": True},
    "ledger.funding": {"value": True},
    "effluent.cod": {"value": 35},
    "effluent.nh3n": {"value": 3.2},
}


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], dict[str, Any], Path]:
    """A fresh embedded deployment (its own SpatiaLite file), migrated, with a town's inspectors."""
    var = tmp_path_factory.mktemp("embedded")
    env = project_env(FIELDSCORE_VAR_DIR=str(var))
    manage(env, "migrate", "--no-input", "-v", "0")
    return env, manage_json(env, SEED), var / "fieldscore.sqlite3"


def _put_draft(url: str, token: str, facility: int) -> Any:
    body = {
        "template_key": "sewage-facility-audit",
        "template_version": 1,
        "subject": {"kind": "sewage_facility", "id": facility},
        "answers": ANSWERS,
        "device_started_at": "2022-09-20T09:30:00+08:00",
    }
    return call("PUT", f"{url}/api/v1/inspections/{uuid.uuid4()}", body, {"Authorization": f"Bearer {token}"})


def test_concurrent_writes_from_two_processes_wait_for_the_lock(deployment, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env, seed, _ = deployment
    server = start_gunicorn(env, tmp_path / "gunicorn.log", workers=2, threads=PHONES // 2)
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(PHONES)

    def phone(token: str) -> None:
        start.wait()
        for _ in range(WRITES_PER_PHONE):
            status = _put_draft(server.url, token, seed["facility"]).status
            with lock:
                statuses[status] += 1

    try:
        threads = [threading.Thread(target=phone, args=(t,)) for t in seed["tokens"]]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
    finally:
        server.stop()
    # Every draft is created: nobody sees a 500 (nor a 503) because someone else was writing.
    assert statuses == {201: PHONES * WRITES_PER_PHONE}, (statuses, server.log_text()[-2000:])


def test_a_write_lock_held_past_the_busy_timeout_is_a_503_to_retry(deployment, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env, seed, db_file = deployment
    server = start_gunicorn({**env, "SQLITE_BUSY_TIMEOUT": "1"}, tmp_path / "gunicorn.log", workers=1)
    holder = sqlite3.connect(db_file, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # a long writer (a big import) holds the file
        try:
            busy = _put_draft(server.url, seed["tokens"][0], seed["facility"])
        finally:
            holder.execute("ROLLBACK")
        retried = _put_draft(server.url, seed["tokens"][0], seed["facility"])
    finally:
        holder.close()
        server.stop()
    assert busy.status == 503, busy.body
    body = busy.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == "database_busy"
    assert body["details"]["service"] == "database" and body["message"]
    assert int(busy.headers["retry-after"]) > 0
    assert retried.status == 201, retried.body
