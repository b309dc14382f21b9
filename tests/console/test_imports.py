"""``/console/imports/`` through the test client: the import services' rules as pages — a dry run writes
nothing, the import applies the stored file, who may import, scope, the polled job partial, queries."""

from __future__ import annotations

import io
import re
import uuid
from typing import Any

from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from geo.models import LedgerImport, SewageFacility
from scoring.models import Measurement, MeasurementImport
from tests.conftest import ApiClient
from tests.geo.test_ledger_import import HEADER
from tests.scoring.test_water_api import GOOD

# Row 3: text where a number belongs; row 4: a town that does not exist; row 5: a code used twice.
LEDGER_WITH_ERRORS = HEADER + (
    "常乐镇,甲村,一组,WS-C1,甲村一号站,25,A/O,35,,,,3206001,某运维公司,在运行,2021-06-30\n"
    "常乐镇,甲村,一组,WS-C2,甲村二号站,十吨,A/O,40,,,,,,在运行,\n"
    "不存在镇,甲村,一组,WS-C3,甲村三号站,8,A/O,40,,,,,,在运行,\n"
    "常乐镇,甲村,一组,WS-C1,重复编码站,8,A/O,40,,,,,,在运行,\n"
)
LEDGER_GOOD = HEADER + "常乐镇,甲村,一组,WS-C9,甲村九号站,25,A/O,35,,,,3206009,某运维公司,在运行,2021-06-30\n"


def as_user(users: dict[str, Any], username: str) -> Client:
    client = Client()
    client.force_login(users[username])
    return client


def upload(client: Client, kind: str, text: str, name: str = "data.csv", **form: str) -> Any:
    fh = io.BytesIO(text.encode("gb18030"))
    fh.name = name
    return client.post("/console/imports/", {"kind": kind, "file": fh, **form})


def test_the_forms_follow_the_services_roles(console_users) -> None:  # type: ignore[no-untyped-def]
    office = as_user(console_users, "anweiban").get("/console/imports/").content.decode()
    assert 'value="ledger"' in office and 'value="measurements"' in office and "试运行" in office
    town = as_user(console_users, "changle").get("/console/imports/").content.decode()
    assert 'value="ledger"' in town and 'value="measurements"' not in town  # 区镇: its ledger only
    planner = as_user(console_users, "guihua").get("/console/imports/").content.decode()
    assert 'type="file"' not in planner and "您的角色不能导入" in planner


def test_a_forged_post_is_refused_by_the_service(console_users) -> None:  # type: ignore[no-untyped-def]
    planner = upload(as_user(console_users, "guihua"), "ledger", LEDGER_GOOD)
    assert planner.status_code == 403 and "您的角色不能导入设施台账" in planner.content.decode()
    town = upload(as_user(console_users, "changle"), "measurements", GOOD)
    assert town.status_code == 403 and "只有生态环境局、区级部门可以导入监测数据" in town.content.decode()
    assert not LedgerImport.objects.exists() and not MeasurementImport.objects.exists()
    empty = as_user(console_users, "anweiban").post("/console/imports/", {"kind": "ledger"})
    assert empty.status_code == 422 and "文件为空" in empty.content.decode()


def _detail_url(response: Any) -> str:
    assert response.status_code == 302, response.content.decode()
    return str(response["Location"])


def test_a_ledger_dry_run_shows_the_row_errors_and_writes_nothing(console_users) -> None:  # type: ignore[no-untyped-def]
    client = as_user(console_users, "anweiban")
    facilities = SewageFacility.objects.count()
    url = _detail_url(upload(client, "ledger", LEDGER_WITH_ERRORS, "台账.csv"))
    assert SewageFacility.objects.count() == facilities  # a dry run writes nothing
    html = client.get(url).content.decode()
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]*)</td><td><code>([^<]+)</code></td>', html)
    assert {(int(r), code) for r, _, code in rows} == {
        (3, "not_a_number"), (4, "unknown_town"), (5, "duplicate_code")
    }  # fmt: skip
    assert "有错误，未导入" in html and "逐行错误（共 3 处" in html
    assert "/apply/" not in html  # a rejected dry run cannot be imported
    forged = client.post(url + "apply/")
    assert (
        forged.status_code == 409
        and "只有已完成且未发现阻止导入的错误的试运行可以导入" in forged.content.decode()
    )
    assert SewageFacility.objects.count() == facilities


def test_measurements_dry_run_then_import_of_the_same_stored_file(world, console_users) -> None:  # type: ignore[no-untyped-def]
    client = as_user(console_users, "huanjing")
    url = _detail_url(upload(client, "measurements", GOOD, source="manual"))
    assert Measurement.objects.count() == 0  # the dry run wrote nothing
    html = client.get(url).content.decode()
    assert "将导入" in html and 'data-confirm="确认导入' in html
    imported = _detail_url(client.post(url + "apply/"))
    assert imported != url
    record = MeasurementImport.objects.get(uuid=imported.rstrip("/").rsplit("/", 1)[1])
    assert (record.dry_run, record.source, record.report["imported"]) == (False, "manual", 25)
    # what the API reads back
    api = ApiClient(console_users["huanjing"])
    listed = api.get("/api/v1/water/measurements", section_id=world.section_a.pk, indicator="nh3n").json()
    assert [m["value"] for m in listed["items"]] == [0.45, 0.55]
    assert Measurement.objects.filter(batch=record).count() == 25
    assert "已导入" in client.get(imported).content.decode()


def test_the_ledger_import_through_the_page_creates_the_facility(console_users) -> None:  # type: ignore[no-untyped-def]
    client = as_user(console_users, "changle")
    url = _detail_url(upload(client, "ledger", LEDGER_GOOD))
    assert not SewageFacility.objects.filter(code="WS-C9").exists()
    _detail_url(client.post(url + "apply/"))
    api = ApiClient(console_users["changle"])
    codes = [f["code"] for f in api.get("/api/v1/geo/facilities", page_size=100).json()["items"]]
    assert "WS-C9" in codes


def test_imports_outside_ones_reach_answer_404(console_users) -> None:  # type: ignore[no-untyped-def]
    url = _detail_url(upload(as_user(console_users, "anweiban"), "ledger", LEDGER_GOOD))
    other = as_user(console_users, "changle")
    for path in (url, url + "status/"):
        assert other.get(path).status_code == 404
    assert other.post(url + "apply/").status_code == 404
    assert not SewageFacility.objects.filter(code="WS-C9").exists()
    assert as_user(console_users, "anweiban").get(url.replace("/ledger/", "/sewage/")).status_code == 404
    assert other.get(f"/console/imports/ledger/{uuid.uuid4()}/").status_code == 404


def _job(user: Any, status: str, progress: int) -> MeasurementImport:
    return MeasurementImport.objects.create(
        uuid=uuid.uuid4(), filename="自动站.csv", file="imports/water/x.csv", size=2_000_000,
        source="automatic", uploaded_by=user, status=status, progress=progress,
    )  # fmt: skip


def test_the_status_partial_polls_while_the_job_runs_and_stops_at_the_end(console_users) -> None:  # type: ignore[no-untyped-def]
    client = as_user(console_users, "huanjing")
    job = _job(console_users["huanjing"], "running", 40)
    status = f"/console/imports/measurements/{job.uuid}/status/"
    running = client.get(status).content.decode()
    assert f'hx-get="{status}"' in running and 'hx-trigger="every 1s"' in running
    assert '<progress id="job-progress" max="100" value="40"' in running and "40%" in running
    assert "<html" not in running  # a partial
    queued = _job(console_users["huanjing"], "queued", 0)
    assert "排队中" in client.get(f"/console/imports/measurements/{queued.uuid}/status/").content.decode()
    job.status, job.progress, job.report = "done", 100, {"ok": True, "imported": 12, "error_count": 0}
    job.save()
    done = client.get(status).content.decode()
    assert "hx-trigger" not in done and "已导入" in done and "<dd>12</dd>" in done
    page = client.get(f"/console/imports/measurements/{job.uuid}/").content.decode()
    assert "<html" in page and "已导入" in page


@override_settings(WATER_IMPORT_SYNC_BYTES=10)
def test_a_large_file_becomes_a_job(console_users, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client = as_user(console_users, "huanjing")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        url = _detail_url(upload(client, "measurements", GOOD))
    queued = client.get(url).content.decode()
    assert 'hx-trigger="every 1s"' in queued and "排队中" in queued
    for callback in callbacks:
        callback()  # the Celery task (eager here)
    done = client.get(url + "status/").content.decode()
    assert "hx-trigger" not in done and "将导入" in done


def test_the_imports_list_issues_no_query_per_import(console_users) -> None:  # type: ignore[no-untyped-def]
    client = as_user(console_users, "anweiban")
    client.get("/console/imports/")  # the session and the principal warmed up alike
    counts = []
    for n in (2, 6):  # of each kind (the list shows the latest 20)
        while MeasurementImport.objects.count() < n:
            _job(console_users["huanjing"], "done", 100)
            LedgerImport.objects.create(
                uuid=uuid.uuid4(), filename="台账.csv", file="imports/ledgers/x.csv", size=10,
                uploaded_by_id=console_users["anweiban"].pk, status="done", progress=100,
            )  # fmt: skip
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/console/imports/")
        html = response.content.decode()
        assert response.status_code == 200 and html.count("台账.csv") == n
        assert html.count("区安委办 演示账号") >= n and html.count("生态环境局 演示账号") == n  # uploaders
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


def test_the_import_pages_hold_no_inline_script_or_style(console_users) -> None:  # type: ignore[no-untyped-def]
    from tests.console.test_console import _InlineCode

    client = as_user(console_users, "anweiban")
    url = _detail_url(upload(client, "ledger", LEDGER_WITH_ERRORS))
    running = _job(console_users["anweiban"], "running", 30)
    for path in ("/console/imports/", url, url + "status/", f"/console/imports/measurements/{running.uuid}/"):
        response = client.get(path)
        assert response.status_code == 200, path
        parser = _InlineCode()
        parser.feed(response.content.decode())
        assert parser.found == [], (path, parser.found)


def test_a_town_s_ledger_rows_outside_its_scope_are_row_errors(console_users) -> None:  # type: ignore[no-untyped-def]
    client = as_user(console_users, "changle")  # 常乐镇's office
    other_town = LEDGER_GOOD.replace("常乐镇,甲村,一组,WS-C9", "四甲镇,乙村,一组,WS-C9")
    html = client.get(_detail_url(upload(client, "ledger", other_town))).content.decode()
    snippet = re.sub(r"\s+", " ", html[html.find("row-errors") :])[:1500]
    assert "<code>unknown_town</code>" in html and "区镇不存在或不在您的管辖范围内" in html, snippet


def test_a_failed_job_is_retried_from_its_page(console_users) -> None:  # type: ignore[no-untyped-def]
    client = as_user(console_users, "huanjing")
    failed = _job(console_users["huanjing"], "failed", 60)
    url = f"/console/imports/measurements/{failed.uuid}/"
    assert f'action="{url}retry/"' in client.get(url).content.decode()
    assert as_user(console_users, "changle").post(url + "retry/").status_code == 404  # not theirs to see
    assert client.post(url + "retry/")["Location"] == url
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("queued", 2)
    done = _job(console_users["huanjing"], "done", 100)
    refused = client.post(f"/console/imports/measurements/{done.uuid}/retry/")
    assert refused.status_code == 409
    assert "只有已中断（stalled）或处理失败的任务可以重试" in refused.content.decode()
    assert "retry/" not in client.get(f"/console/imports/measurements/{done.uuid}/").content.decode()
