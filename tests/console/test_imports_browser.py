"""``/console/imports/`` in a real Chromium: a ledger with row errors shows them in the table, a dry run
then the import with its confirmation, a job's progress polled to the end (and, on the PostGIS + Redis
leg, a large file imported by a real Celery worker)."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from playwright.sync_api import expect

from geo.models import SewageFacility
from scoring.models import Measurement, MeasurementImport
from tests.conftest import needs_redis
from tests.console.test_imports import GOOD, LEDGER_WITH_ERRORS


def choose_and_upload(page: Any, kind: str, name: str, text: str) -> None:
    page.goto("/console/imports/")
    page.get_by_label(kind).check()
    page.get_by_label("文件（CSV").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode("gb18030")}]
    )
    page.get_by_role("button", name="试运行").click()
    page.wait_for_url("**/console/imports/*/*/")


def test_ledger_row_errors_are_shown_in_the_table(page, login, screenshot, console_users) -> None:  # type: ignore[no-untyped-def]
    login(page, "anweiban")
    before = SewageFacility.objects.count()
    choose_and_upload(page, "设施台账", "常乐镇台账.csv", LEDGER_WITH_ERRORS)
    table = page.locator("table.row-errors")
    expect(table).to_be_visible()
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert headers[:4] == ["行", "列", "代码", "说明"]
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(3)
    assert rows.nth(0).locator("td").nth(2).inner_text() == "not_a_number"
    assert rows.nth(1).locator("td").nth(3).inner_text() == "区镇不存在或不在您的管辖范围内"
    assert page.get_by_role("button", name="导入").count() == 0  # errors: nothing to import
    assert SewageFacility.objects.count() == before
    screenshot(page, "imports-anweiban")
    page.goto("/console/imports/")
    expect(page.locator("table.imports-recent tbody tr")).to_have_count(1)
    screenshot(page, "imports-list-anweiban")


def test_measurements_dry_run_then_import_after_confirming(page, login, screenshot, console_users) -> None:  # type: ignore[no-untyped-def]
    login(page, "huanjing")
    choose_and_upload(page, "水质监测数据", "自动站.csv", GOOD)
    expect(page.locator(".summary")).to_contain_text("将导入")
    assert Measurement.objects.count() == 0
    questions: list[str] = []

    def answer(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    page.get_by_role("button", name="导入").click()
    expect(page.locator("h1")).to_contain_text("水质监测数据导入")
    expect(page.locator(".summary")).to_contain_text("已导入")
    assert questions and "确认导入" in questions[0]
    assert Measurement.objects.count() == 25
    screenshot(page, "imports-huanjing")


def test_a_job_s_progress_is_polled_to_the_end(page, login, screenshot, console_users) -> None:  # type: ignore[no-untyped-def]
    job = MeasurementImport.objects.create(
        uuid=uuid.uuid4(), filename="自动站全年.csv", file="imports/water/x.csv", size=5_000_000,
        source="automatic", uploaded_by=console_users["huanjing"], status="running", progress=40,
    )  # fmt: skip
    login(page, "huanjing")
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if r.url.endswith("/status/") else None)
    page.goto(f"/console/imports/measurements/{job.uuid}/")
    bar = page.locator("progress#job-progress")
    expect(bar).to_have_attribute("value", "40")
    expect(page.get_by_role("status")).to_contain_text("40%")
    MeasurementImport.objects.filter(pk=job.pk).update(progress=75)
    expect(bar).to_have_attribute("value", "75", timeout=5000)
    screenshot(page, "imports-progress")
    MeasurementImport.objects.filter(pk=job.pk).update(
        status="done", progress=100, report={"ok": True, "imported": 8760, "error_count": 0, "rows_read": 876}
    )
    expect(page.locator(".summary")).to_contain_text("8760", timeout=5000)
    assert polls, "the partial was never polled"
    seen = len(polls)
    time.sleep(2.5)
    assert len(polls) == seen  # the finished job's partial stops polling


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_the_imports_page_at_phone_width(page, login, screenshot, console_users) -> None:  # type: ignore[no-untyped-def]
    login(page, "anweiban")
    page.goto("/console/imports/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "imports-anweiban-phone")


@needs_redis[0]
@needs_redis[1]
def test_a_large_file_runs_on_the_worker_and_the_page_follows_it(  # type: ignore[no-untyped-def]
    redis_worker, page, login, screenshot, console_users, settings
) -> None:
    settings.WATER_IMPORT_SYNC_BYTES = 10  # every file is "large": a job for the worker
    login(page, "huanjing")
    choose_and_upload(page, "水质监测数据", "自动站.csv", GOOD)
    expect(page.locator(".summary")).to_contain_text("将导入", timeout=30_000)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="导入").click()
    expect(page.locator(".summary")).to_contain_text("已导入", timeout=30_000)
    assert Measurement.objects.count() == 25
    assert MeasurementImport.objects.filter(dry_run=False, status="done").count() == 1
