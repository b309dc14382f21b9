"""Every item kind of every template the server publishes is drawn with its own control on the phone, and
a model answer to each (met, nothing found, within limits) scores 100 on the device, offline."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from checklists.models import ChecklistTemplate, TemplateStatus
from checklists.services.templates import templates_sync
from tests.browser import PASSWORD
from tests.conftest import make_user
from tests.fieldapp import phone as phones

phone_context = phones.phone_context  # the fixture

# What the inspector gets to answer each kind with (besides 不适用 and the comment).
CONTROLS = {
    "check": "input[type=radio]",
    "veto": "input[type=radio]",
    "score": "input[type=number]",
    "deduct": "input[type=number]",
    "bonus": "input[type=number]",
    "penalty": "input[type=number]",
    "measure": "input[type=number]",
}
CAPTURES = {
    "text": "textarea",
    "number": "input[type=number]",
    "choice": "select",
    "date": "input[type=date]",
    "geopoint": "button",
    "photo": "input[type=file]",
}


def model_answer(page: Any, item: dict[str, Any]) -> None:
    """Answer ``item`` as a clean inspection would (full points, nothing found)."""
    box = page.locator(f'[data-item="{item["key"]}"]')
    kind = item["kind"]
    if kind == "check":
        box.get_by_label("符合", exact=True).check()
    elif kind == "veto":
        box.get_by_label("未发现", exact=True).check()
    elif kind in ("deduct", "bonus", "penalty"):
        box.locator("input[type=number]").fill("0")
    elif kind == "score":
        box.locator("input[type=number]").fill(str(item["points"]))
    elif kind == "measure":
        value = item.get("max_ok") if item.get("max_ok") is not None else item.get("min_ok")
        box.locator("input[type=number]").fill(str(Decimal(str(value))))
    elif kind == "info" and item.get("capture") == "choice":
        box.locator("select").select_option(item["choices"][0])
    elif kind == "info" and item.get("capture") in ("text", None):
        box.locator("textarea").fill("现场记录")
    elif kind == "info" and item.get("capture") == "number":
        box.locator("input[type=number]").fill("1")
    elif kind == "info" and item.get("capture") == "date":
        box.locator("input[type=date]").fill("2026-11-30")


def test_every_item_kind_of_every_template_is_drawn_and_a_clean_answer_scores_100(
    phone_context, world
) -> None:  # type: ignore[no-untyped-def]
    templates_sync()
    inspector = make_user("inspector", world.town_a, username="jiancha1")
    inspector.set_password(PASSWORD)
    inspector.save()
    context, page = phone_context()
    page.goto("/m/")
    page.get_by_label("用户名").fill("jiancha1")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="任务").wait_for()
    page.locator('body[data-requests="0"]').wait_for(state="attached")
    context.set_offline(True)  # nothing of this leaves the phone
    templates = list(ChecklistTemplate.objects.filter(status=TemplateStatus.PUBLISHED).order_by("key"))
    assert len(templates) >= 8
    kinds_seen: set[str] = set()
    for t in templates:
        draft = {
            "uuid": f"00000000-0000-4000-8000-{t.pk:012d}",
            "template_key": t.key,
            "template_version": t.version,
            "subject": {"kind": t.subject_kind, "id": 1, "name": t.title, "lon": None, "lat": None},
            "assignment_id": None,
            "purpose": "routine",
            "answers": {},
            "device_started_at": "2026-11-30T09:00:00+08:00",
            "device_location": None,
            "version": None,
            "status": "draft",
            "revision": 1,
        }
        page.evaluate(
            "async (d) => (await import('/static/fieldapp/js/store.js')).put('inspections', d)",
            json.loads(json.dumps(draft)),
        )
        page.goto(f"/m/#/form/{draft['uuid']}")
        page.locator(".form h1").filter(has_text=t.title).wait_for()
        items = [i for s in t.document["sections"] for i in s["items"]]
        for item in items:
            box = page.locator(f'[data-item="{item["key"]}"]')
            assert box.count() == 1, item["key"]
            control = CONTROLS.get(item["kind"]) or CAPTURES[item.get("capture") or "text"]
            assert box.locator(control).count() >= 1, (t.key, item["key"], control)
            assert box.locator("input[type=checkbox]").count() == (1 if item.get("allow_na") else 0), item[
                "key"
            ]
            wants_photos = item.get("photos") not in (None, "none") or item.get("capture") == "photo"
            assert box.locator("input[type=file]").count() == (1 if wants_photos else 0), item["key"]
            kinds_seen.add(item["kind"] if item["kind"] != "info" else f"info:{item.get('capture')}")
            model_answer(page, item)
        assert page.locator("#percent").inner_text() == "100", t.key
        for section in t.document["sections"]:
            if any(i["kind"] in ("check", "score", "deduct") for i in section["items"]):
                assert page.locator(f"#sec-{section['key']}").inner_text(), section["key"]
    assert {"check", "score", "deduct", "bonus", "penalty", "veto", "measure"} <= kinds_seen
    assert {"info:text", "info:photo", "info:geopoint", "info:choice"} <= kinds_seen
