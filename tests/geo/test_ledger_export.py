"""The facility ledger export (issue 13): small exports answer the file at once; an export of more
facilities than ``LEDGER_EXPORT_SYNC_FACILITIES`` is a Celery job (202 with the job's URL; status,
heartbeat, ``stalled`` like the imports) whose file is downloaded when done, by its requester only."""

import io
from datetime import timedelta

from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from geo.models import LedgerExport
from geo.tasks import ledger_jobs_requeue_stalled
from tests.conftest import ApiClient, assert_error, make_user

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def codes(content: bytes) -> list[str]:
    ws = load_workbook(io.BytesIO(content)).active
    return [row[3] for row in ws.iter_rows(min_row=3, values_only=True)]


def test_a_small_export_is_answered_at_once(world) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", world.district))
    r = office.get("/api/v1/geo/facilities/ledger.xlsx")
    assert r.status_code == 200 and r["Content-Type"] == XLSX
    assert codes(r.content) == ["WS-A", "WS-B"]
    assert not LedgerExport.objects.exists()


@override_settings(LEDGER_EXPORT_SYNC_FACILITIES=1)
def test_a_large_export_is_a_job_whose_file_is_downloaded_when_done(
    world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    office = ApiClient(make_user("district_office", world.district))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = office.get("/api/v1/geo/facilities/ledger.xlsx")
    assert r.status_code == 202, r.content
    job = r.json()
    assert r["Location"] == job["url"] == f"/api/v1/geo/facilities/exports/{job['id']}"
    assert (job["status"], job["stalled"], job["facilities"], job["download_url"]) == (
        "queued",
        False,
        2,
        None,
    )
    download = f"{job['url']}/ledger.xlsx"
    assert_error(office.get(download), 409, "job_not_done")
    other = ApiClient(make_user("district_office", world.district))
    assert_error(other.get(job["url"]), 404)  # someone else's export
    for callback in callbacks:
        callback()  # the Celery task (eager here)
    done = office.get(job["url"]).json()
    assert (done["status"], done["progress"], done["download_url"]) == ("done", 100, download)
    assert done["title"] == "海门区农村生活污水处理设施台账"
    file = office.get(download)
    assert file.status_code == 200 and file["Content-Type"] == XLSX
    assert "attachment" in file["Content-Disposition"]
    assert codes(b"".join(file.streaming_content)) == ["WS-A", "WS-B"]
    assert_error(other.get(download), 404)


@override_settings(LEDGER_EXPORT_SYNC_FACILITIES=0)
def test_an_export_job_keeps_the_requesters_scope_and_is_requeued_when_stalled(
    world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    town = ApiClient(make_user("town_officer", world.town_a))
    with django_capture_on_commit_callbacks(execute=False):
        job = town.get("/api/v1/geo/facilities/ledger.xlsx").json()
    LedgerExport.objects.filter(uuid=job["id"]).update(
        status="running", heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    assert town.get(job["url"]).json()["stalled"] is True
    with django_capture_on_commit_callbacks(execute=True):
        assert ledger_jobs_requeue_stalled()["ledger_exports"] == {"requeued": 1, "failed": 0}
    done = town.get(job["url"]).json()
    assert done["status"] == "done"
    assert codes(b"".join(town.get(done["download_url"]).streaming_content)) == ["WS-A"]  # its town only
