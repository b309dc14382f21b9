"""The console's 通报 page through the test client: issuing goes through ``bulletin_issue`` (its refusals as
the page's messages, or, for htmx, the part with the service's status), a town officer neither issues
nor sees what is not finished, and the file answers as ``GET /api/v1/bulletins/{id}/file`` does."""

from __future__ import annotations

from scoring.bulletins.models import Bulletin
from tests.console.test_console import signed_in
from tests.console.test_rankings import measured

__all__ = ["measured"]

HTMX = {"HX-Request": "true", "HX-Target": "bulletins"}


def test_issue_without_and_with_htmx(measured, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    office = signed_in("anweiban")
    with django_capture_on_commit_callbacks(execute=True):
        response = office.post("/console/bulletins/", {"kind": "dekad", "period": "2022-09-05"})
    assert response.status_code == 302
    assert Bulletin.objects.get().period == "2022-09-D1"  # the 旬 of the picked day
    page = office.get("/console/bulletins/").content.decode()
    assert "已出具：每旬逆序排名通报（2022-09-D1）" in page and 'href="/console/bulletins/"' in page
    refused = office.post("/console/bulletins/", {"kind": "dekad", "period": "9月"}, follow=True)
    assert "请选择该旬内的任一日期" in refused.content.decode()
    late = {"kind": "sewage_warning", "period": "2099-01-01"}
    part = office.post("/console/bulletins/", late, headers=HTMX)
    html = part.content.decode()
    assert part.status_code == 422 and 'data-code="bulletin_period_invalid"' in html and "<html" not in html
    assert 'value="2099-01-01"' in html  # what was typed is kept
    unknown = office.post("/console/bulletins/", {"kind": "monthly", "period": "2022-09"}, headers=HTMX)
    assert unknown.status_code == 422 and "未知或尚未开通的通报类型" in unknown.content.decode()
    assert Bulletin.objects.count() == 1  # nothing half-written


def test_town_officers_and_files(measured, settings, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    office = signed_in("anweiban")
    with django_capture_on_commit_callbacks(execute=True):
        office.post("/console/bulletins/", {"kind": "dekad", "period": "2022-09-25"})
    done = Bulletin.objects.get()
    queued = Bulletin.objects.create(kind="dekad", period="2022-09-D2")
    town = signed_in("changle")
    html = town.get("/console/bulletins/").content.decode()
    assert f'data-bulletin="{done.pk}"' in html and f'data-bulletin="{queued.pk}"' not in html
    assert '<form method="post" action="/console/bulletins/"' not in html
    assert 'href="/console/bulletins/"' not in html  # no navigation entry for towns
    refused = town.post("/console/bulletins/", {"kind": "dekad", "period": "2022-09-05"}, follow=True)
    assert "只有区级部门可以出具通报" in refused.content.decode() and Bulletin.objects.count() == 2
    word = town.get(f"/console/bulletins/{done.pk}/file/", {"format": "docx"})
    assert word.status_code == 200 and word["Content-Type"].startswith("application/vnd.openxmlformats")
    assert town.get(f"/console/bulletins/{queued.pk}/file/").status_code == 404  # not its to see
    assert office.get(f"/console/bulletins/{queued.pk}/file/").status_code == 409  # not done yet
    settings.BULLETIN_SOFFICE = "no-such-soffice-here"
    pdf = office.get(f"/console/bulletins/{done.pk}/file/", {"format": "pdf"})
    assert pdf.status_code == 409 and "LibreOffice" in pdf.content.decode()
    assert office.get(f"/console/bulletins/{done.pk}/file/", {"format": "xls"}).status_code == 422
