"""The phone app end to end, in Chromium emulating a phone: sign in, download, fill offline with photos,
on-device warnings, sync (exactly once), resume after a cut upload, a rejection and revision 2, a
conflicting edit from another device, and the online-only mode of in-app browsers."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from PIL import Image

from checklists.models import Assignment, Inspection, InspectionPhoto
from checklists.services.templates import templates_sync
from tests.browser import PASSWORD
from tests.conftest import make_user
from tests.fieldapp import phone as phones
from tests.fieldapp.phone import FIELD

phone, phone_context = phones.phone, phones.phone_context  # the fixtures

CHECKS = (
    "op.running", "op.damage", "op.beyond-repair", "op.pipe-network", "op.capacity-match", "op.maintenance",
    "ledger.meter", "ledger.operator", "ledger.funding",
)  # fmt: skip


@dataclass
class Field:
    inspector: Any
    task: Any
    later: Any


@pytest.fixture
def field(world: Any) -> Field:
    """An inspector of town A with two audits to do: facility A (overdue, at FIELD) and facility B."""
    templates_sync()
    inspector = make_user("inspector", world.town_a, username="jiancha1")
    inspector.set_password(PASSWORD)
    inspector.save()
    world.facility_a.location = Point(FIELD["longitude"], FIELD["latitude"], srid=4326)
    world.facility_a.save(update_fields=["location"])
    today = timezone.localdate()

    def task(facility: Any, due: Any) -> Any:
        return Assignment.objects.create(
            template_key="sewage-facility-audit", inspector=inspector, purpose="audit", due_date=due,
            subject_kind="sewage_facility", subject_id=facility.pk, subject_name=facility.name,
            subject_region=facility.village, subject_town=facility.village.parent,
        )  # fmt: skip

    return Field(inspector, task(world.facility_a, today - timedelta(days=2)), task(world.facility_b, today))


def jpeg(seed: int) -> bytes:
    img = Image.new("RGB", (320, 240), ((seed * 67) % 256, (seed * 29) % 256, (seed * 113) % 256))
    for x in range(0, 320, 16):  # a pattern per seed: distinct perceptual hashes
        for y in range(0, 240, 16):
            if (x * seed + y) % 48 < 16:
                img.paste((255 - x % 256, y % 256, seed % 256), (x, y, x + 16, y + 16))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def photo_file(seed: int) -> dict[str, Any]:
    return {"name": f"IMG_{seed:04d}.jpg", "mimeType": "image/jpeg", "buffer": jpeg(seed)}


def sign_in(page: Any, username: str = "jiancha1") -> None:
    page.goto("/m/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("heading", name="任务").wait_for()
    page.locator("[data-assignment]").first.wait_for()


def service_worker_ready(page: Any) -> None:
    """The worker is installed and controls the page (it claims its clients on activation)."""
    # (a worker that never activates fails here within 15 s, not the whole run: evaluate has no timeout)
    page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def item(page: Any, key: str) -> Any:
    return page.locator(f'[data-item="{key}"]')


def fill_sewage_audit(page: Any) -> None:
    for key in CHECKS:
        item(page, key).get_by_label("符合", exact=True).check()
    item(page, "ledger.meter-number").locator("textarea").fill("320600001111")
    item(page, "effluent.cod").locator("input[type=number]").fill("35")
    item(page, "effluent.nh3n").locator("input[type=number]").fill("3.2")


def synced(page: Any) -> None:
    page.locator('#net[data-pending="0"]').wait_for()


def quiet(page: Any) -> None:
    """No request of the app on its way (twice, 300 ms apart): what the test reads now is what the app's
    requests left, not a state half-way through them."""
    for _ in range(2):
        page.locator('body[data-requests="0"]:not([data-redraw="1"])').wait_for(state="attached")
        page.wait_for_timeout(300)


def db(page: Any, fn: Callable[[], Any]) -> Any:
    """Run ``fn`` (reads or writes of the database, API calls of another device) once the app is quiet."""
    quiet(page)
    return fn()


def wait_until(page: Any, check: Callable[[], Any], seconds: float = 15) -> Any:
    """Poll ``check`` (the database, what a route saw) while Playwright keeps serving the page's events."""
    deadline = time.monotonic() + seconds
    while True:
        quiet(page)
        value = check()
        if value or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(200)


def test_offline_audit_with_two_photos_syncs_exactly_once(phone_context, field, screenshot) -> None:  # type: ignore[no-untyped-def]
    context, page = phone_context()
    sign_in(page)
    # 任务: overdue first, with distance and direction from the phone's fix
    cards = page.locator("[data-assignment]")
    assert cards.first.get_attribute("data-assignment") == str(field.task.pk)
    assert "逾期" in cards.first.inner_text()
    page.locator(f'[data-assignment="{field.task.pk}"] .where').filter(has_text="距").wait_for()
    screenshot(page, "fieldapp-tasks")

    service_worker_ready(page)
    context.set_offline(True)
    # closed and reopened without a network: the shell from the service worker, the tasks from IndexedDB
    page.reload()
    page.locator(f'[data-assignment="{field.task.pk}"]').wait_for()
    page.locator("#net").filter(has_text="离线").wait_for()
    page.locator(f'[data-assignment="{field.task.pk}"]').get_by_role("button", name="开始检查").click()
    page.locator("#percent").wait_for()
    fill_sewage_audit(page)
    # submit refuses while the required photos are missing
    page.get_by_role("button", name="提交").click()
    assert item(page, "op.running").locator(".missing").is_visible()
    assert "未完成" in page.locator(".summary").inner_text()
    item(page, "op.running").locator("input[type=file]").set_input_files(photo_file(1))
    item(page, "op.running").locator("figure").wait_for()
    assert item(page, "op.running").locator(".warning").count() == 0  # taken at the facility
    # the second photo, taken 5 km away: warned on the item at once, still offline
    context.set_geolocation({**FIELD, "longitude": FIELD["longitude"] + 0.053})
    item(page, "record.site-photo").locator("input[type=file]").set_input_files(photo_file(2))
    warning = item(page, "record.site-photo").locator('.warning[data-code="far_from_subject"]')
    warning.wait_for()
    assert "米" in warning.inner_text()
    assert item(page, "record.site-photo").locator(".warning").count() == 1  # nothing else to say
    screenshot(page, "fieldapp-form-offline-warning")
    warning.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot(page, "fieldapp-form-warning")))  # the viewport, for the README
    assert page.locator("#percent").inner_text() == "100"
    page.get_by_role("button", name="提交").click()
    page.get_by_role("heading", name="我的检查").wait_for()
    assert "待同步" in page.locator("#net").inner_text()
    assert not db(page, Inspection.objects.exists)

    context.set_offline(False)
    synced(page)
    inspection = wait_until(page, lambda: Inspection.objects.filter(status="submitted").first())
    assert inspection is not None and Inspection.objects.count() == 1
    assert inspection.subject_id == field.task.subject_id and inspection.assignment_id == field.task.pk
    photos = InspectionPhoto.objects.filter(inspection=inspection)
    assert sorted(photos.values_list("item_key", flat=True)) == ["op.running", "record.site-photo"]
    far = photos.get(item_key="record.site-photo")
    assert far.device_location is not None and far.device_location.x == pytest.approx(
        FIELD["longitude"] + 0.053
    )
    screenshot(page, "fieldapp-mine-synced")


def open_task(page: Any, field: Field) -> None:
    page.locator(f'[data-assignment="{field.task.pk}"]').get_by_role("button").click()
    page.locator("#percent").wait_for()


@pytest.mark.allow_console_errors("ERR_CONNECTION_RESET")
def test_an_upload_cut_midway_resumes_after_a_reload_and_lands_once(phone_context, field) -> None:  # type: ignore[no-untyped-def]
    page = phone_context()[1]
    sign_in(page)
    service_worker_ready(page)
    cut: list[str] = []

    def cut_once(route: Any) -> None:
        if not cut:
            # The photo reaches the server, the connection drops before the answer is back: the phone
            # cannot know it arrived, and sends it again.
            cut.append(route.fetch().status)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/inspections/*/photos", cut_once)
    open_task(page, field)
    fill_sewage_audit(page)
    item(page, "op.running").locator("input[type=file]").set_input_files(photo_file(3))
    item(page, "record.site-photo").locator("input[type=file]").set_input_files(photo_file(4))
    wait_until(page, lambda: cut)
    assert cut == [201]  # the first photo is on the server, unknown to the phone
    page.unroute("**/api/v1/inspections/*/photos")
    # the app is closed and opened again (from the service worker): the outbox resumes where it was
    page.reload()
    page.locator("#app h1").wait_for()
    synced(page)
    assert wait_until(page, lambda: InspectionPhoto.objects.count() == 2)
    inspection = Inspection.objects.get()
    page.goto(f"/m/#/form/{inspection.client_uuid}")
    page.get_by_role("button", name="提交").click()
    page.get_by_role("heading", name="我的检查").wait_for()
    synced(page)
    assert wait_until(page, lambda: Inspection.objects.get().status == "submitted")
    assert InspectionPhoto.objects.count() == 2 and Inspection.objects.count() == 1
    page.close()


def submit_audit(page: Any, field: Field, seeds: tuple[int, int] = (5, 6)) -> Inspection:
    """Fill and submit the overdue audit online; answers the inspection as the server has it."""
    open_task(page, field)
    fill_sewage_audit(page)
    for key, seed in (("op.running", seeds[0]), ("record.site-photo", seeds[1])):
        item(page, key).locator("input[type=file]").set_input_files(photo_file(seed))
        # The app keeps a photo once it has read it; a 提交 before that finds the photo missing and stays
        # on the form (under a loaded CI the click came first, and the test waited for a screen in vain).
        item(page, key).locator("figure").wait_for()
    page.get_by_role("button", name="提交").click()
    page.get_by_role("heading", name="我的检查").wait_for()
    synced(page)
    assert wait_until(page, lambda: Inspection.objects.filter(status="submitted").exists())
    return Inspection.objects.get()


def test_a_rejected_inspection_comes_back_with_the_comments_and_is_resubmitted_as_revision_2(  # type: ignore[no-untyped-def]
    phone, field, world, screenshot
) -> None:
    from tests.conftest import ApiClient

    sign_in(phone)
    inspection = submit_audit(phone, field)
    office = ApiClient(make_user("town_officer", world.town_a, username="changle_office"))
    rejection = {
        "decision": "reject",
        "reason": "电表号与台账不符，请核对",
        "item_comments": {"ledger.meter-number": "应为 12 位"},
    }
    review = db(phone, lambda: office.post(f"/api/v1/inspections/{inspection.client_uuid}/review", rejection))
    assert review.status_code == 200, review.content
    phone.locator(".tabs").get_by_role("link", name="我的检查").click()
    card = phone.locator(f'[data-uuid="{inspection.client_uuid}"]')
    card.filter(has_text="已退回").wait_for()
    card.get_by_role("link").click()
    phone.locator("#review").filter(has_text="电表号与台账不符").wait_for()
    assert "应为 12 位" in phone.locator('.comments [data-item="ledger.meter-number"]').inner_text()
    screenshot(phone, "fieldapp-rejected")
    phone.get_by_role("button", name="修改后重新提交（第 2 次修订）").click()
    phone.locator("#percent").wait_for()
    assert "应为 12 位" in item(phone, "ledger.meter-number").locator(".review-comment").inner_text()
    # the answers of revision 1 are there; the photos of revision 1 still count
    assert item(phone, "op.running").get_by_label("符合", exact=True).is_checked()
    item(phone, "ledger.meter-number").locator("textarea").fill("320600002222")
    phone.get_by_role("button", name="提交").click()
    phone.get_by_role("heading", name="我的检查").wait_for()
    synced(phone)

    def resubmitted() -> bool:
        inspection.refresh_from_db()
        return inspection.status == "submitted" and inspection.revision == 2

    assert wait_until(phone, resubmitted)
    assert inspection.answers["ledger.meter-number"]["value"] == "320600002222"
    assert Inspection.objects.count() == 1 and InspectionPhoto.objects.count() == 2


@pytest.mark.allow_console_errors("status of 409")  # the version conflict, on purpose
def test_an_edit_from_a_second_device_leads_to_the_conflict_screen(phone, field, screenshot) -> None:  # type: ignore[no-untyped-def]
    from tests.checklists.conftest import Phone

    sign_in(phone)
    open_task(phone, field)
    fill_sewage_audit(phone)
    phone.get_by_role("button", name="保存").click()
    phone.get_by_role("heading", name="我的检查").wait_for()
    synced(phone)
    inspection = wait_until(phone, lambda: Inspection.objects.first())
    assert inspection is not None and inspection.version == 1
    # the same inspector's tablet changes the meter number meanwhile
    other = Phone(field.inspector, device_id="tablet")
    tablet = {"value": "TABLET-1", "na": False, "comment": ""}
    body = {
        "template_key": "sewage-facility-audit", "template_version": 1,
        "subject": {"kind": "sewage_facility", "id": field.task.subject_id}, "purpose": "audit",
        "assignment_id": field.task.pk,
        "answers": inspection.answers | {"ledger.meter-number": tablet},
    }  # fmt: skip
    assert db(phone, lambda: other.put(inspection.client_uuid, body, if_match=1)).status_code == 200
    # the phone edits its own copy: the PUT meets version 2
    phone.locator(f'[data-uuid="{inspection.client_uuid}"]').get_by_role("link").click()
    item(phone, "ledger.meter-number").locator("textarea").fill("PHONE-1")
    phone.get_by_role("heading", name="版本冲突").wait_for()
    row = phone.locator('.diff [data-item="ledger.meter-number"]')
    assert (
        "PHONE-1" in row.locator(".mine").inner_text() and "TABLET-1" in row.locator(".theirs").inner_text()
    )
    page_shot = screenshot(phone, "fieldapp-conflict")
    phone.screenshot(path=str(page_shot))  # the viewport, for the README
    phone.get_by_role("button", name="保留本机的").click()
    phone.locator("#percent").wait_for()
    synced(phone)

    def mine_kept() -> bool:
        inspection.refresh_from_db()
        return inspection.answers["ledger.meter-number"]["value"] == "PHONE-1"

    assert wait_until(phone, mine_kept) and inspection.version == 3


@pytest.mark.allow_console_errors("status of 401")
def test_a_revoked_token_signs_out_and_keeps_what_waits(phone, field) -> None:  # type: ignore[no-untyped-def]
    from accounts.models import DeviceToken

    sign_in(phone)
    open_task(phone, field)
    db(phone, lambda: DeviceToken.objects.update(revoked_at=timezone.now(), revoked_reason="lost"))
    fill_sewage_audit(phone)
    phone.get_by_role("heading", name="登录").wait_for()
    assert "未同步的数据已保留" in phone.locator(".signin").inner_text()
    assert "本机还有" in phone.locator(".signin").inner_text()
    assert not db(phone, Inspection.objects.exists)
    phone.get_by_label("用户名").fill("jiancha1")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.get_by_role("heading", name="任务").wait_for()
    synced(phone)
    inspection = wait_until(phone, lambda: Inspection.objects.first())
    assert inspection is not None and inspection.answers["effluent.nh3n"]["value"] == 3.2


@pytest.mark.parametrize(
    "missing",
    [
        "delete Navigator.prototype.serviceWorker;",  # DingTalk's and WeChat's in-app browsers
        "Object.defineProperty(window, 'indexedDB', {value: undefined});",  # some private modes
    ],
    ids=["no-service-worker", "no-indexeddb"],
)
def test_without_a_service_worker_or_indexeddb_the_app_says_so_and_works_online(  # type: ignore[no-untyped-def]
    phone_context, field, screenshot, missing
) -> None:
    context, page = phone_context()
    context.add_init_script(missing)
    sign_in(page)
    banner = page.locator("#banner")
    assert banner.is_visible() and "不支持离线使用" in banner.inner_text()
    screenshot(page, "fieldapp-online-only")
    submit_audit(page, field, seeds=(7, 8))
    assert db(page, lambda: Inspection.objects.get().status == "submitted")
    assert InspectionPhoto.objects.count() == 2


@pytest.mark.allow_console_errors("status of 409")  # the version conflict, on purpose
def test_taking_the_servers_version_drops_the_local_edit(phone, field) -> None:  # type: ignore[no-untyped-def]
    from tests.checklists.conftest import Phone

    sign_in(phone)
    open_task(phone, field)
    fill_sewage_audit(phone)
    phone.get_by_role("button", name="保存").click()
    synced(phone)
    inspection = wait_until(phone, lambda: Inspection.objects.first())
    tablet = {"value": "TABLET-2", "na": False, "comment": ""}
    body = {
        "template_key": "sewage-facility-audit", "template_version": 1, "purpose": "audit",
        "subject": {"kind": "sewage_facility", "id": field.task.subject_id}, "assignment_id": field.task.pk,
        "answers": inspection.answers | {"ledger.meter-number": tablet},
    }  # fmt: skip
    other = Phone(field.inspector, device_id="tablet")
    assert db(phone, lambda: other.put(inspection.client_uuid, body, if_match=1)).status_code == 200
    phone.locator(f'[data-uuid="{inspection.client_uuid}"]').get_by_role("link").click()
    item(phone, "ledger.meter-number").locator("textarea").fill("PHONE-2")
    phone.get_by_role("heading", name="版本冲突").wait_for()
    phone.get_by_role("button", name="采用服务器的").click()
    phone.locator("#percent").wait_for()
    assert item(phone, "ledger.meter-number").locator("textarea").input_value() == "TABLET-2"
    synced(phone)
    inspection = db(phone, lambda: Inspection.objects.get())
    assert inspection.version == 2 and inspection.answers["ledger.meter-number"]["value"] == "TABLET-2"
    # the draft goes on from the server's version
    item(phone, "effluent.cod").locator("input[type=number]").fill("36")
    synced(phone)

    def saved() -> bool:
        inspection.refresh_from_db()
        return inspection.answers["effluent.cod"]["value"] == 36

    assert wait_until(phone, saved) and inspection.version == 3
    assert inspection.answers["ledger.meter-number"]["value"] == "TABLET-2"


def test_a_town_officer_sends_a_repair_photo_from_the_rectification_list(phone, field, world) -> None:  # type: ignore[no-untyped-def]
    from checklists.models import Rectification, RectificationPhoto
    from tests.checklists.conftest import Phone, sewage_answers
    from tests.conftest import ApiClient

    inspector = Phone(field.inspector, device_id="setup")
    answers = sewage_answers() | {"ledger.meter": {"value": False}}
    cu, submitted = inspector.complete(world, answers)
    assert submitted.status_code == 200, submitted.content
    officer = make_user("town_officer", world.town_a, username="changle")
    officer.set_password(PASSWORD)
    officer.save()
    approved = ApiClient(officer).post(f"/api/v1/inspections/{cu}/review", {"decision": "approve"})
    assert approved.status_code == 200, approved.content
    rect = Rectification.objects.get()
    phone.goto("/m/")
    phone.get_by_label("用户名").fill("changle")
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.get_by_role("heading", name="任务").wait_for()
    phone.locator(".tabs").get_by_role("link", name="整改").click()
    card = phone.locator(f'[data-rectification="{rect.pk}"]')
    card.wait_for()
    card.locator("input[type=file]").set_input_files(photo_file(9))
    synced(phone)
    assert wait_until(phone, lambda: RectificationPhoto.objects.filter(rectification=rect).count() == 1)
    card.get_by_role("button", name="开始整改").click()
    card.get_by_role("button", name="提交销号").wait_for()
    assert db(phone, lambda: Rectification.objects.get().status) == "in_progress"


def test_a_late_redirect_to_sign_in_keeps_what_is_being_typed(phone, field) -> None:  # type: ignore[no-untyped-def]
    """A render that began before the sign-out, or an expired token's answer, sends the app to the sign-in
    screen it is already on: that must not draw a fresh, empty form under the inspector's fingers (under
    load it did, and the account typed was lost — the click then met an empty, required field)."""
    phone.goto("/m/")
    phone.get_by_label("用户名").fill("jiancha9")
    src = phone.evaluate("() => document.querySelector('script[type=module]').src")
    phone.evaluate("async (src) => (await import(src)).go('#/signin')", src)
    phone.wait_for_timeout(300)  # a redraw is asynchronous: give it the time to happen, if it would
    assert phone.get_by_label("用户名").input_value() == "jiancha9"
    # A render already under way when the form was drawn (begun by a hash change before the sign-out) ends
    # after it: the form being typed into stays, with its error line (the next test waits for it there).
    phone.evaluate("() => window.dispatchEvent(new HashChangeEvent('hashchange'))")
    phone.wait_for_timeout(300)
    assert phone.get_by_label("用户名").input_value() == "jiancha9"
    assert phone.locator("form.signin").count() == 1


def test_another_user_cannot_sign_in_over_unsent_work(phone_context, field, world) -> None:  # type: ignore[no-untyped-def]
    other = make_user("inspector", world.town_a, username="jiancha9")
    other.set_password(PASSWORD)
    other.save()
    context, page = phone_context()
    sign_in(page)
    open_task(page, field)
    context.set_offline(True)
    fill_sewage_audit(page)
    page.get_by_role("button", name="保存").click()
    # the save is in the outbox before the user goes on (under load the sign-out once overtook it: with
    # nothing waiting yet, the other account went on to the network, offline, and got that error instead)
    page.locator('#net:not([data-pending="0"])').wait_for()
    page.locator(".tabs").get_by_role("link", name="任务").click()
    page.once("dialog", lambda dialog: dialog.accept())  # 还有 n 项未同步……确定退出？
    page.get_by_role("button", name="退出登录").click()
    page.get_by_role("heading", name="登录").wait_for()
    page.get_by_label("用户名").fill("jiancha9")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.locator(".signin .error").filter(has_text="jiancha1 未同步的数据").wait_for()
    context.set_offline(False)
    sign_in(page)
    synced(page)
    inspection = wait_until(page, lambda: Inspection.objects.first())
    assert inspection is not None and inspection.inspector_id == field.inspector.pk
