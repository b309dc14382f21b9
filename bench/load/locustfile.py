"""A compressed busy day of 海门区 for Locust: 500 phones, 20 district office users, 10 planners.

Reads ``LOAD_SEED`` (the ``seed.json`` that ``bench/load/seed.py`` wrote, next to its ``photos/``). Runs in
its own virtual environment (``.venv-load``, Locust and gevent only): it talks HTTP to the service and
imports nothing of it. ``deploy/run-load.sh`` starts everything and runs it headless.

- **Phones** (inspectors; one in five also a town officer who repairs): sync the catalogue with its
  ETag (``If-None-Match`` → 304), fill a town inspection (安全生产 / 消防, routine) saved as a draft
  several times (``PUT`` of the same UUID with ``If-Match``), take two ~2 MB photos (real JPEGs with
  EXIF GPS, 60 different scenes, each upload's bytes unique: a fresh JPEG comment), submit
  (``PUT ?submit=true``, as the phone app's outbox does); town officers also repair: the open
  rectifications, a photo, start, submit. One step per task, so the wait between tasks is the
  inspector at work.
- **Office users** (区安委办): scoreboards (list, board, drill-down), the review queue (list, read,
  approve; one in twenty sent back), exports (通报 xlsx, 整改清单 xlsx), the year's task record of a town
  (which queues a recomputation), closing submitted repairs. Each office user takes its own share of
  the queue (by UUID / id), as a real office splits the towns: two never race for the same item.
- **Planners**: vector tiles of every layer around the district, z9–z14, revalidated with the ETag
  the browser kept, and the GeoJSON layers.

Wait times (seconds, ``min,max``): ``LOAD_PHONE_WAIT`` (default 20,60), ``LOAD_OFFICE_WAIT`` (5,15),
``LOAD_PLANNER_WAIT`` (1,4); ``LOAD_START_P`` (0.05): the chance that an idle phone's turn starts an
inspection (otherwise it is on the road and sends nothing). With the defaults a phone's inspection takes
about 5 minutes on site and the 500 phones submit ~0.4 inspections and ~0.8 photos a second.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import struct
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from locust import HttpUser, between, task

SEED_PATH = Path(os.environ.get("LOAD_SEED", "seed.json"))
SEED = json.loads(SEED_PATH.read_text(encoding="utf-8")) if SEED_PATH.exists() else {}
PHOTOS = [(SEED_PATH.parent / "photos" / name).read_bytes() for name in SEED.get("photos", [])]
API = "/api/v1"
CST = timezone(timedelta(hours=8))
START_P = float(os.environ.get("LOAD_START_P", "0.05"))  # an idle phone starts an inspection
STEPS = ("new", "photo", "save", "photo", "save", "submit")  # a phone's inspection, one step per task
LAYERS = ("towns", "sections", "facilities", "rectifications", "photos", "rivers")


def _wait(name: str, default: str):
    low, high = (float(v) for v in os.environ.get(name, default).split(","))
    return between(low, high)


def _share(key: object, n: int, k: int) -> bool:
    """Whether item ``key`` is office user ``k``'s of ``n`` (a stable split of the work)."""
    return int(uuid.uuid5(uuid.NAMESPACE_OID, str(key)).hex[:8], 16) % n == k


def _photo_bytes() -> bytes:
    """A pool photo with a fresh JPEG comment (COM segment) after SOI: same picture, new bytes, so
    every upload has its own SHA-256, as every photo a phone takes does."""
    data = random.choice(PHOTOS)
    comment = f"load {uuid.uuid4()}".encode()
    return data[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[2:]


def _now() -> str:
    return datetime.now(CST).isoformat(timespec="seconds")


def _ok(response, *codes: int) -> None:
    """Mark the request a failure unless it answered one of ``codes`` (the text of the error kept)."""
    if response.status_code not in codes:
        response.failure(f"{response.status_code} {response.text[:300]}")
    else:
        response.success()


class Fieldscore(HttpUser):
    abstract = True
    _counter = itertools.count()

    def auth(self, token: str) -> None:
        self.client.headers.update({"Authorization": f"Bearer {token}"})
        # Mid-day, not a starting gun: each user's first request comes at a random point of its own
        # rhythm, as phones and desks would (all 530 at once measures the ramp, not the day).
        time.sleep(random.uniform(0, self.wait_time()))


class Phone(Fieldscore):
    fixed_count = len(SEED.get("phones", [])) or 1
    wait_time = _wait("LOAD_PHONE_WAIT", "20,60")
    _next = itertools.count()

    def on_start(self) -> None:
        me = SEED["phones"][next(Phone._next) % len(SEED["phones"])]
        self.auth(me["token"])
        self.town_id, self.repairs, self.share = me["town_id"], me["repairs"], me.get("share", [0, 1])
        self.lon, self.lat = me["lon"], me["lat"]
        self.catalogue_etag: str | None = None
        self.current: dict | None = None  # the inspection being filled in
        self.repair: dict | None = None  # the rectification being repaired

    @task(1)
    def catalogue(self) -> None:
        headers = {"If-None-Match": self.catalogue_etag} if self.catalogue_etag else {}
        with self.client.get(
            f"{API}/catalogue", headers=headers, name="GET /catalogue", catch_response=True
        ) as r:
            _ok(r, 200, 304)
            if r.status_code == 200:
                self.catalogue_etag = r.headers.get("ETag")

    def _body(self) -> dict:
        c = self.current
        assert c is not None
        return {
            "template_key": c["variant"]["template_key"],
            "template_version": 1,
            "subject": {"kind": "town", "id": self.town_id},
            "purpose": "routine",
            "period": c["variant"]["period"],
            "answers": c["answers"],
            "device_started_at": c["started"],
            "device_location": {"lon": self.lon, "lat": self.lat, "datum": "wgs84", "accuracy_m": 6},
        }

    @task(10)
    def inspect(self) -> None:
        """One step of an inspection, as a phone on site goes: the draft created (half the answers), a
        photo, saved again (three quarters), another photo, saved again (all), submitted."""
        c = self.current
        if c is None:
            if random.random() >= START_P:
                return  # between inspections: on the road, at lunch — no request
            variant = random.choice(SEED["variants"])
            full = dict(variant["answers"])
            keys = list(full)
            c = self.current = {
                "uuid": str(uuid.uuid4()), "variant": variant, "started": _now(), "version": None,
                "full": full, "answers": {k: full[k] for k in keys[: len(keys) // 2]}, "step": 0,
            }  # fmt: skip
        step = STEPS[c["step"]]
        url = f"{API}/inspections/{c['uuid']}"
        headers = {"If-Match": c["version"]} if c["version"] else {}
        if step in ("new", "save"):
            if step == "save":  # each save carries more answers
                n = len(c["full"]) if c["step"] == STEPS.index("save", 3) else len(c["full"]) * 3 // 4
                c["answers"] = dict(list(c["full"].items())[:n])
            name = f"PUT /inspections/{{uuid}} ({'new draft' if step == 'new' else 'save'})"
            with self.client.put(
                url, json=self._body(), headers=headers, name=name, catch_response=True
            ) as r:
                _ok(r, 201 if step == "new" else 200)
                if not r.ok:
                    self.current = None
                    return
                c["version"] = r.headers.get("ETag")
        elif step == "photo":
            fields = {
                "photo_uuid": str(uuid.uuid4()), "item_key": "record.site-photo",
                "lon": str(self.lon + random.uniform(-0.002, 0.002)), "lat": str(self.lat),
                "datum": "wgs84", "accuracy_m": "8", "captured_at": _now(),
            }  # fmt: skip
            files = {"file": ("IMG.jpg", _photo_bytes(), "image/jpeg")}
            with self.client.post(
                f"{url}/photos", data=fields, files=files, name="POST /inspections/{uuid}/photos",
                catch_response=True,
            ) as r:  # fmt: skip
                _ok(r, 201)
        else:
            body = self._body() | {"device_submitted_at": _now()}
            with self.client.put(
                f"{url}?submit=true", json=body, headers=headers, name="PUT /inspections/{uuid}?submit=true",
                catch_response=True,
            ) as r:  # fmt: skip
                _ok(r, 200)
            self.current = None
            return
        c["step"] += 1

    @task(1)
    def rectify(self) -> None:
        """A town officer's repair, one step at a time: find an open one, photo, start, submit."""
        if not self.repairs:
            return self.catalogue()
        rep = self.repair
        if rep is None:
            with self.client.get(
                f"{API}/rectifications",
                params={"status": "open", "town_id": self.town_id},
                name="GET /rectifications",
                catch_response=True,
            ) as r:
                _ok(r, 200)
                items = r.json().get("items", []) if r.ok else []
            # Town officers of one town share its repairs: each takes its own share of them.
            k, n = self.share
            mine = [i for i in items if i["id"] % n == k]
            if mine:
                self.repair = {"id": random.choice(mine)["id"], "step": 0}
            return None
        url = f"{API}/rectifications/{rep['id']}"
        if rep["step"] == 0:
            fields = {
                "photo_uuid": str(uuid.uuid4()),
                "lon": str(self.lon),
                "lat": str(self.lat),
                "datum": "wgs84",
                "accuracy_m": "10",
                "captured_at": _now(),
            }
            files = {"file": ("IMG.jpg", _photo_bytes(), "image/jpeg")}
            with self.client.post(
                f"{url}/photos",
                data=fields,
                files=files,
                name="POST /rectifications/{id}/photos",
                catch_response=True,
            ) as r:
                _ok(r, 201)
        else:
            action = "start" if rep["step"] == 1 else "submit"
            with self.client.post(
                f"{url}/transition",
                json={"action": action, "note": "已整改（压测）"},
                name=f"POST /rectifications/{{id}}/transition ({action})",
                catch_response=True,
            ) as r:
                _ok(r, 200)
        rep["step"] += 1
        if rep["step"] > 2:
            self.repair = None
        return None


class Office(Fieldscore):
    fixed_count = len(SEED.get("office", [])) or 1
    wait_time = _wait("LOAD_OFFICE_WAIT", "5,15")
    _next = itertools.count()

    def on_start(self) -> None:
        self.k = next(Office._next) % len(SEED["office"])
        self.n = len(SEED["office"])
        self.auth(SEED["office"][self.k])
        self.scheme = SEED["scheme_key"]
        self.rows: list[int] = []

    @task(2)
    def scoreboards(self) -> None:
        self.client.get(f"{API}/scoreboards", name="GET /scoreboards")
        r = self.client.get(f"{API}/scoreboards/{self.scheme}", name="GET /scoreboards/{scheme}")
        if r.ok:
            self.rows = [row["region_id"] for row in r.json().get("rows", [])]

    @task(1)
    def drill_down(self) -> None:
        """A row of the board opened: the town's scorecard."""
        if not self.rows:
            return self.scoreboards()
        town = random.choice(self.rows)
        self.client.get(
            f"{API}/scoreboards/{self.scheme}/towns/{town}", name="GET /scoreboards/{scheme}/towns/{id}"
        )
        return None

    @task(6)
    def review(self) -> None:
        r = self.client.get(
            f"{API}/inspections",
            params={"status": "submitted", "page_size": 100},
            name="GET /inspections?status=submitted",
        )
        if not r.ok:
            return
        mine = [i for i in r.json()["items"] if _share(i["client_uuid"], self.n, self.k)]
        for item in mine[:3]:  # read and decide a few, then look elsewhere
            url = f"{API}/inspections/{item['client_uuid']}"
            d = self.client.get(url, name="GET /inspections/{uuid}")
            if not d.ok:
                continue
            approve = random.random() >= 0.05
            body = (
                {"decision": "approve"}
                if approve
                else {"decision": "reject", "reason": "现场照片不清晰，请补拍（压测）"}
            )
            with self.client.post(
                f"{url}/review",
                json=body,
                headers={"If-Match": d.headers.get("ETag", "")},
                name="POST /inspections/{uuid}/review",
                catch_response=True,
            ) as rv:
                _ok(rv, 200)

    @task(1)
    def close_repairs(self) -> None:
        r = self.client.get(
            f"{API}/rectifications",
            params={"status": "submitted"},
            name="GET /rectifications?status=submitted",
        )
        if not r.ok:
            return
        for item in [i for i in r.json()["items"] if _share(i["id"], self.n, self.k)][:3]:
            with self.client.post(
                f"{API}/rectifications/{item['id']}/transition",
                json={"action": "close"},
                name="POST /rectifications/{id}/transition (close)",
                catch_response=True,
            ) as c:
                _ok(c, 200)

    @task(1)
    def export_board(self) -> None:
        self.client.get(
            f"{API}/scoreboards/{self.scheme}/export",
            params={"format": "xlsx"},
            name="GET /scoreboards/{scheme}/export (xlsx)",
        )

    @task(1)
    def export_rectifications(self) -> None:
        self.client.get(
            f"{API}/rectifications/export",
            params={"format": "xlsx"},
            name="GET /rectifications/export (xlsx)",
        )

    @task(1)
    def recompute(self) -> None:
        """The year's task record of one of its towns: queues a recomputation of the draft board."""
        towns = [t for t in SEED["town_ids"] if _share(t, self.n, self.k)]
        if not towns:
            return self.scoreboards()
        with self.client.put(
            f"{API}/scoreboards/{self.scheme}/towns/{random.choice(towns)}/tasks",
            json={"completed": True, "note": ""},
            name="PUT /scoreboards/{scheme}/towns/{id}/tasks",
            catch_response=True,
        ) as r:
            _ok(r, 204)
        return None


class Planner(Fieldscore):
    fixed_count = len(SEED.get("planners", [])) or 1
    wait_time = _wait("LOAD_PLANNER_WAIT", "1,4")
    _next = itertools.count()

    def on_start(self) -> None:
        self.auth(SEED["planners"][next(Planner._next) % len(SEED["planners"])])
        self.etags: dict[str, str] = {}

    @task(10)
    def tile(self) -> None:
        z, x, y = random.choice(SEED["tiles"])
        url = f"{API}/geo/tiles/{random.choice(LAYERS)}/{z}/{x}/{y}.pbf"
        headers = {"If-None-Match": self.etags[url]} if url in self.etags else {}
        with self.client.get(
            url, headers=headers, name="GET /geo/tiles/{layer}/{z}/{x}/{y}.pbf", catch_response=True
        ) as r:
            _ok(r, 200, 304)
            if r.status_code == 200 and r.headers.get("ETag"):
                self.etags[url] = r.headers["ETag"]

    @task(1)
    def geojson(self) -> None:
        layer = random.choice(("sections", "facilities"))
        self.client.get(f"{API}/geo/{layer}.geojson", name="GET /geo/{layer}.geojson")
