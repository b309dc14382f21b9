"""The migration that gives inspections their period keeps every existing row in the year the old rule
(local submit year; creation year for drafts) put it in, so no scoreboard changes."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("checklists", "0003_assessed_inspections_index")]
AFTER = [("checklists", "0004_inspection_period")]
UTC = ZoneInfo("UTC")


def _migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_rows_keep_the_year_the_old_rule_gave_them() -> None:
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = _migrate(BEFORE)
        region = old.get_model("geo", "Region").objects.create(level="district", name="海门区", path="/1/")
        user = old.get_model("accounts", "User").objects.create(username="old-inspector")
        template = old.get_model("checklists", "ChecklistTemplate").objects.create(
            key="safety-town", version=1, title="t", domain="safety", subject_kind="town", document={},
            digest="0" * 64,
        )  # fmt: skip
        inspection = old.get_model("checklists", "Inspection")
        revision = old.get_model("checklists", "InspectionRevision")
        spot_check = old.get_model("checklists", "SpotCheck")
        assignment = old.get_model("checklists", "Assignment")
        subject = {"subject_kind": "town", "subject_id": region.pk, "subject_name": "常乐镇",
                   "subject_region": region, "template": template, "inspector": user}  # fmt: skip
        # 31 December 2022 20:00 UTC is 1 January 2023 04:00 in Haimen: the old rule said 2023
        new_year = datetime(2022, 12, 31, 20, 0, tzinfo=UTC)
        submitted = inspection.objects.create(
            client_uuid=uuid.uuid4(), status="approved", submitted_at=new_year, percent=90, **subject
        )
        revision.objects.create(
            inspection=submitted, revision=1, answers={}, score={}, percent=90, submitted_at=new_year
        )
        mid_2022 = datetime(2022, 6, 1, tzinfo=UTC)
        in_2022 = inspection.objects.create(
            client_uuid=uuid.uuid4(), status="approved", percent=80, submitted_at=mid_2022, **subject
        )
        draft = inspection.objects.create(client_uuid=uuid.uuid4(), **subject)
        inspection.objects.filter(pk=draft.pk).update(received_at=datetime(2024, 3, 1, tzinfo=UTC))
        spot = spot_check.objects.create(
            year=2025, subject_kind="town", template_key="safety-town", per_town=1, seed="1", candidates={},
            inspectors={}, result=[], gap_threshold=10, created_by=user,
        )  # fmt: skip
        task = {"template_key": "safety-town", "inspector": user, "subject_kind": "town",
                "subject_id": region.pk, "subject_name": "常乐镇", "subject_region": region}  # fmt: skip
        drawn = assignment.objects.create(spot_check=spot, purpose="spot_check", **task)
        plain = assignment.objects.create(**task)

        new = _migrate(AFTER)
        periods = dict(new.get_model("checklists", "Inspection").objects.values_list("pk", "period"))
        assert periods == {submitted.pk: 2023, in_2022.pk: 2022, draft.pk: 2024}
        assert list(
            new.get_model("checklists", "InspectionRevision").objects.values_list("period", flat=True)
        ) == [2023]
        tasks = dict(new.get_model("checklists", "Assignment").objects.values_list("pk", "period"))
        assert tasks == {drawn.pk: 2025, plain.pk: None}
    finally:
        _migrate(latest)
