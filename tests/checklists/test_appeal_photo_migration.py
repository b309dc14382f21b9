"""The migration that links appeal uploads: photos uploaded to an appeal keep being seen through it;
photos an appeal only named (another town's, while that was possible) no longer are."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("checklists", "0006_plain_decimals_in_score_documents")]
AFTER = [("checklists", "0007_appeal_photos")]


def _migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state([*targets, ("audit", "0001_audit_events")]).apps


@pytest.mark.django_db(transaction=True)
def test_uploads_are_linked_and_named_photos_are_not() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = _migrate(BEFORE)
        region_model = old.get_model("geo", "Region")
        district = region_model.objects.create(level="district", name="海门区", path="/")
        district.path = f"/{district.pk}/"
        district.save()
        town_a = region_model.objects.create(level="town", name="常乐镇", parent=district, path="/x/")
        town_b = region_model.objects.create(level="town", name="四甲镇", parent=district, path="/y/")
        town = old.get_model("accounts", "User").objects.create(username="sijia-old")
        inspector = old.get_model("accounts", "User").objects.create(username="jiancha-old")
        photo_model = old.get_model("media", "Photo")

        def photo(n: int):  # type: ignore[no-untyped-def]
            return photo_model.objects.create(
                sha256=f"{n:064x}", file=f"p{n}.jpg", content_type="image/jpeg", extension="jpg",
                size_bytes=1, width=1, height=1, uploaded_by=inspector,
            )  # fmt: skip

        uploaded, also_attached, foreign, orphan = photo(1), photo(2), photo(3), photo(4)
        template = old.get_model("checklists", "ChecklistTemplate").objects.create(
            key="safety-town", version=1, title="t", domain="safety", subject_kind="town", document={},
            digest="0" * 64,
        )  # fmt: skip
        inspection = old.get_model("checklists", "Inspection").objects.create(
            client_uuid=uuid.uuid4(), template=template, inspector=inspector, subject_kind="town",
            subject_id=town_a.pk, subject_name="常乐镇", subject_region=town_a, period=2022,
        )  # fmt: skip
        for p in (also_attached, foreign):  # evidence of town A's inspection
            old.get_model("checklists", "InspectionPhoto").objects.create(
                client_uuid=uuid.uuid4(), photo=p, uploaded_by=inspector, inspection=inspection, revision=1
            )
        board = old.get_model("scoring", "Scoreboard").objects.create(
            scheme_key="towns-2022", year=2022, title="t", status="notice", scheme_document={},
            computed_at=datetime(2022, 12, 1, tzinfo=ZoneInfo("UTC")), content_hash="0" * 64,
        )  # fmt: skip
        unknown = "f" * 64
        evidence = [uploaded.sha256, also_attached.sha256, foreign.sha256, orphan.sha256, unknown]
        appeal = old.get_model("scoring", "Appeal").objects.create(
            scoreboard=board, region=town_b, unit_id=town_b.pk, unit_name="四甲镇", filed_by=town,
            reason="旧申诉", evidence=evidence,
        )  # fmt: skip
        at = datetime(2022, 12, 3, 9, 0, tzinfo=ZoneInfo("UTC"))
        events = old.get_model("audit", "AuditEvent").objects
        for p in (uploaded, also_attached):  # the town uploaded these bytes to its appeal
            events.create(
                action="scoring.appeal.evidence", object_type="scoring.appeal", object_id=str(appeal.pk),
                actor=town, at=at, after={"photo": p.sha256},
            )  # fmt: skip

        new = _migrate(AFTER)
        links = new.get_model("checklists", "AppealPhoto").objects.filter(appeal_id=appeal.pk)
        linked = {
            sha: (by, when)
            for sha, by, when in links.values_list("photo__sha256", "uploaded_by_id", "uploaded_at")
        }
        # uploaded (by its audit event, even where the same bytes are also an inspection's), or evidence
        # for nothing else (an appeal upload is the only way it can have come); never merely named
        assert set(linked) == {uploaded.sha256, also_attached.sha256, orphan.sha256}
        assert linked[uploaded.sha256] == (town.pk, at)
        assert linked[orphan.sha256][0] == town.pk  # the appellant
        # the appeal's own list is kept as it was
        assert new.get_model("scoring", "Appeal").objects.get(pk=appeal.pk).evidence == evidence
    finally:
        _migrate(latest)
