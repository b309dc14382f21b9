"""The period an inspection assesses becomes its own field (考核年度).

Existing rows keep the year the old rule gave them, so no scoreboard changes: the local (Asia/Shanghai)
year of the server's submit time, or of the first receipt for drafts never submitted. Revisions get
the local year of their own submission. Spot-check assignments take their draw's year (the year their
comparison was always made for); other assignments leave the period to the phone.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import ExtractYear


def fill_periods(apps, schema_editor):  # type: ignore[no-untyped-def]
    # ExtractYear converts to the current time zone (TIME_ZONE) as ``submitted_at__year`` did.
    inspection = apps.get_model("checklists", "Inspection")
    inspection.objects.filter(submitted_at__isnull=False).update(period=ExtractYear("submitted_at"))
    inspection.objects.filter(submitted_at__isnull=True).update(period=ExtractYear("received_at"))
    revision = apps.get_model("checklists", "InspectionRevision")
    revision.objects.update(period=ExtractYear("submitted_at"))
    assignment = apps.get_model("checklists", "Assignment")
    spot_check = apps.get_model("checklists", "SpotCheck")
    assignment.objects.filter(spot_check__isnull=False).update(
        period=Subquery(spot_check.objects.filter(pk=OuterRef("spot_check_id")).values("year")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("checklists", "0003_assessed_inspections_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="period",
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="考核年度"),
        ),
        migrations.AddField(
            model_name="inspection",
            name="period",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="考核年度"),
        ),
        migrations.AddField(
            model_name="inspectionrevision",
            name="period",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="考核年度"),
        ),
        migrations.RunPython(fill_periods, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="inspection",
            name="period",
            field=models.PositiveSmallIntegerField(verbose_name="考核年度"),
        ),
        migrations.AlterField(
            model_name="inspectionrevision",
            name="period",
            field=models.PositiveSmallIntegerField(verbose_name="考核年度"),
        ),
        migrations.RemoveIndex(
            model_name="inspection",
            name="inspection_assessed_idx",
        ),
        migrations.AddIndex(
            model_name="inspection",
            index=models.Index(
                condition=Q(("status", "approved"), Q(("purpose", "routine"), _negated=True)),
                fields=["subject_kind", "period"],
                name="inspection_assessed_idx",
            ),
        ),
    ]
