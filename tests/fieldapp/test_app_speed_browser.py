"""The issue's speed targets, what a test can hold without a clock: over Chromium's "Slow 3G" profile the
app's first load after install comes from the service worker (how fast is ``bench/fieldapp``'s: timing
lives in benchmarks); three 3 MB photos of a 50-answer inspection each cross the network exactly once."""

from __future__ import annotations

import io
import random
from typing import Any

from django.contrib.gis.geos import Point
from django.core.signals import request_started
from PIL import Image

from checklists.models import Assignment, Inspection, InspectionPhoto
from checklists.services.templates import templates_sync
from tests.browser import PASSWORD
from tests.conftest import make_user
from tests.fieldapp import phone as phones

phone_context = phones.phone_context  # the fixture

# Chrome DevTools' "Slow 3G" preset: 2 s round trip, 500 kbit/s × 0.8 each way.
SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 500 * 1000 / 8 * 0.8,
    "uploadThroughput": 500 * 1000 / 8 * 0.8,
}


def _sign_in(page: Any) -> None:
    page.goto("/m/")
    page.get_by_label("用户名").fill("jiancha1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.locator("[data-assignment]").first.wait_for()
    # (a worker that never activates fails here within 15 s, not the whole run: evaluate has no timeout)
    page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.locator('body[data-requests="0"]').wait_for(state="attached")


def _inspector(
    world: Any, template_key: str, kind: str, subject: Any, region: Any, period: Any = None
) -> Any:
    templates_sync()
    inspector = make_user("inspector", world.town_a, username="jiancha1")
    inspector.set_password(PASSWORD)
    inspector.save()
    Assignment.objects.create(
        template_key=template_key, inspector=inspector, purpose="routine", subject_kind=kind, period=period,
        subject_id=subject.pk, subject_name=subject.name, subject_region=region, subject_town=world.town_a,
    )  # fmt: skip
    return inspector


def test_the_first_load_after_install_is_served_by_the_worker_over_slow_3g(phone_context, world) -> None:  # type: ignore[no-untyped-def]
    world.facility_a.location = Point(121.31, 31.95, srid=4326)
    world.facility_a.save(update_fields=["location"])
    _inspector(world, "sewage-facility-audit", "sewage_facility", world.facility_a, world.village_a)
    context, page = phone_context()
    _sign_in(page)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    for _ in range(2):
        page.reload(wait_until="commit")
        page.locator("[data-assignment]").first.wait_for()
        # the page and every module came from the worker, none over the (2 s round trip) network
        navigation = page.evaluate("() => performance.getEntriesByType('navigation')[0].workerStart")
        assert navigation > 0
        sources = page.evaluate(
            "() => performance.getEntriesByType('resource').filter(e => e.name.includes('/static/fieldapp/'))"
            ".map(e => e.workerStart > 0 || e.transferSize === 0)"
        )
        assert sources and all(sources)


def noise_jpeg(seed: int, megabytes: float = 3.0) -> bytes:
    """A JPEG of about ``megabytes`` (noise compresses badly, like a camera's detail)."""
    rng = random.Random(seed)
    side = 1400
    while True:
        img = Image.frombytes("RGB", (side, side), rng.randbytes(side * side * 3))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=92)
        if buf.tell() >= megabytes * 1_000_000:
            return buf.getvalue()
        side += 200


def fifty_items(directory: Any) -> None:
    """A 50-item facility checklist (the shipped templates have up to 23), three items needing a photo."""
    lines = [
        "key: big-audit", "version: 1", "title: 五十项核查（测试）", "domain: sewage",
        "subject_kind: sewage_facility", "sections:",
    ]  # fmt: skip
    for s in range(5):
        lines += [f"  - key: s{s}", f"    title: 第{s + 1}部分", "    items:"]
        for i in range(10):
            photos = "required" if s == 0 and i < 3 else "on_fail"
            lines += [
                f"      - key: s{s}.i{i}", "        kind: check", f"        title: 检查项 {s}-{i}",
                "        points: 2", f"        photos: {photos}",
            ]  # fmt: skip
    (directory / "big-audit.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_three_3mb_photos_of_a_50_answer_inspection_cross_the_network_once_each(  # type: ignore[no-untyped-def]
    phone_context, world, tmp_path
) -> None:
    from checklists.models import ChecklistTemplate

    _inspector(world, "sewage-facility-audit", "sewage_facility", world.facility_a, world.village_a)
    fifty_items(tmp_path)
    templates_sync(directory=tmp_path)
    Assignment.objects.update(template_key="big-audit")
    template = ChecklistTemplate.objects.get(key="big-audit")
    items = [i for s in template.document["sections"] for i in s["items"]]
    context, page = phone_context()
    _sign_in(page)
    received: list[int] = []  # the bytes of each photo request the server received

    def on_request(sender: Any, environ: dict[str, Any], **kwargs: Any) -> None:
        if environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"].endswith("/photos"):
            received.append(int(environ.get("CONTENT_LENGTH") or 0))

    request_started.connect(on_request)
    context.set_offline(True)
    page.locator("[data-assignment]").first.get_by_role("button").click()
    page.locator("#percent").wait_for()
    answered = 0
    for item in items:
        box = page.locator(f'[data-item="{item["key"]}"]')
        if item["kind"] in ("check",):
            box.get_by_label("符合", exact=True).check()
        elif item["kind"] == "veto":
            box.get_by_label("未发现", exact=True).check()
        elif item["kind"] in ("score", "deduct", "bonus", "penalty", "measure"):
            box.locator("input[type=number]").fill("0" if item["kind"] != "score" else str(item["points"]))
        else:
            continue
        answered += 1
    with_photos = [i["key"] for i in items if i.get("photos") not in (None, "none")][:3]
    photos = [noise_jpeg(n) for n in range(3)]
    for key, data in zip(with_photos, photos, strict=True):
        page.locator(f'[data-item="{key}"] input[type=file]').set_input_files(
            {"name": f"{key}.jpg", "mimeType": "image/jpeg", "buffer": data}
        )
    page.get_by_role("button", name="保存").click()
    try:
        context.set_offline(False)
        page.locator('#net[data-pending="0"]').wait_for(timeout=60_000)
        page.locator('body[data-requests="0"]').wait_for(state="attached")
    finally:
        request_started.disconnect(on_request)
    assert answered == 50, answered
    inspection = Inspection.objects.get()
    stored = list(InspectionPhoto.objects.filter(inspection=inspection).select_related("photo"))
    assert len(stored) == 3 and sorted(p.photo.size_bytes for p in stored) == sorted(len(d) for d in photos)
    assert len(inspection.answers) == answered
    # each photo crossed once: one request per photo, its body the photo and a few hundred bytes of form
    sizes = sorted(p.photo.size_bytes for p in stored)
    assert len(received) == 3, received
    assert all(0 < got - size < 2_000 for got, size in zip(sorted(received), sizes, strict=True)), (
        received,
        sizes,
    )
