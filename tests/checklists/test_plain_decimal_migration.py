"""The migration that rewrites stored score documents' "1E+2" as "100" changes no number and nothing
else in the documents."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("checklists", "0005_inspection_corrections")]
AFTER = [("checklists", "0006_plain_decimals_in_score_documents")]


def _migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


OLD = {
    "percent": "90.0", "base_earned": "9E+1", "base_maximum": "1E+2", "bonus": "0", "penalty": "0",
    "vetoed": False, "veto_items": [],
    "sections": [{"key": "ops", "earned": "7E+1", "maximum": "8E+1", "capped": False}],
    "items": [
        {"key": "a", "earned": "0", "maximum": "1E+1", "lost": "1E+1", "applicable": True, "failed": True,
         "reason": "1E+2 个问题"},
        {"key": "b", "earned": "2.5", "maximum": "5", "lost": "2.5", "applicable": True, "failed": False,
         "reason": ""},
    ],
}  # fmt: skip
NEW = {
    **OLD, "base_earned": "90", "base_maximum": "100",
    "sections": [{"key": "ops", "earned": "70", "maximum": "80", "capped": False}],
    "items": [{**OLD["items"][0], "maximum": "10", "lost": "10"}, OLD["items"][1]],  # the reason is text
}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_stored_score_documents_become_plain() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = _migrate(BEFORE)
        region = old.get_model("geo", "Region").objects.create(level="district", name="海门区", path="/1/")
        user = old.get_model("accounts", "User").objects.create(username="old-inspector")
        template = old.get_model("checklists", "ChecklistTemplate").objects.create(
            key="sewage-facility-audit", version=1, title="t", domain="sewage", subject_kind="town",
            document={}, digest="0" * 64,
        )  # fmt: skip
        inspection = old.get_model("checklists", "Inspection").objects.create(
            client_uuid=uuid.uuid4(), status="approved", percent=90, score=OLD, period=2022,
            subject_kind="town", subject_id=region.pk, subject_name="常乐镇", subject_region=region,
            template=template, inspector=user,
        )  # fmt: skip
        draft = old.get_model("checklists", "Inspection").objects.create(
            client_uuid=uuid.uuid4(), period=2022, subject_kind="town", subject_id=region.pk,
            subject_name="常乐镇", subject_region=region, template=template, inspector=user,
        )  # fmt: skip
        old.get_model("checklists", "InspectionRevision").objects.create(
            inspection=inspection,
            revision=1,
            answers={},
            score=OLD,
            percent=90,
            period=2022,
            submitted_at=timezone.now(),
        )

        new = _migrate(AFTER)
        scores = dict(new.get_model("checklists", "Inspection").objects.values_list("pk", "score"))
        assert scores == {inspection.pk: NEW, draft.pk: None}
        assert list(
            new.get_model("checklists", "InspectionRevision").objects.values_list("score", flat=True)
        ) == [NEW]
    finally:
        _migrate(latest)
