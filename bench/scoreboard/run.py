"""bench/scoreboard: recompute a town scoreboard for 1,000 units × 12 months of inspections on PostGIS,
next to one raw SQL aggregate over the same rows, in the same run.

Data: 1,000 towns; per town and month one approved routine inspection for each of the two components
(安全生产, 消防), plus one annual assessment each: 26,000 approved inspections with ~2 KB answers.
Measured: ``assessment_recompute`` (aggregate, combine routine/annual, veto, evaluate, rank, awards,
write the draft with its 1,000 rows) against ``SELECT … GROUP BY subject, template, purpose`` over the
same rows. Target: within 3× of the raw aggregate. Run with ``make bench``.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.common import best_of  # noqa: E402 - after the path is set

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
TARGET = 3.0
UNITS, MONTHS = 1000, 12


def setup() -> tuple[str, int]:
    import django

    django.setup()
    import yaml
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from accounts.models import User
    from checklists.models import ChecklistTemplate, Inspection
    from checklists.services.templates import templates_sync
    from geo.models import Region
    from geo.services import region_create
    from scoring.assessment import schemes

    year = timezone.localdate().year
    doc = schemes.load("towns-2022").document | {"key": "towns-bench", "year": year}
    scheme_dir = Path(tempfile.mkdtemp(prefix="fieldscore-bench-schemes-"))
    (scheme_dir / "towns-bench.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    schemes.SCHEME_DIR = scheme_dir
    templates_sync()
    scoreboard_rows = Inspection.objects.filter(template__key__in=["safety-town", "fire-town"])
    if scoreboard_rows.filter(subject_name__startswith="基准镇").count() >= UNITS * (MONTHS + 1) * 2:
        return "towns-bench", year  # already generated (a re-run on the same database)
    district = Region.objects.filter(level="district").first() or region_create(
        level="district", name="基准区"
    )
    towns = [region_create(level="town", name=f"基准镇{i:04d}", parent=district) for i in range(UNITS)]
    inspector, _ = User.objects.get_or_create(username="bench-scoreboard")
    from checklists.services.templates import spec_of

    templates = list(ChecklistTemplate.objects.filter(key__in=["safety-town", "fire-town"]))
    rng = random.Random(81)
    answers = {f"q{i:02d}": {"value": True, "comment": "台账齐全"} for i in range(40)}
    # A score document shaped like the real one (every item of the real template), so that reading
    # the single awards' bases costs what it costs in production.
    scores = {}
    for template in templates:
        items = spec_of(template).items().values()
        scores[template.pk] = {
            "items": [
                {"key": i.key, "earned": str(i.points), "maximum": str(i.points), "lost": "0",
                 "applicable": True, "failed": False, "reason": ""}
                for i in items
            ]
        }  # fmt: skip
    tz = timezone.get_default_timezone()
    rows = []
    for town in towns:
        for template in templates:
            for month in range(1, MONTHS + 1):
                rows.append((town, template, "routine", datetime(year, month, 10, 10, tzinfo=tz)))
            rows.append((town, template, "annual", datetime(year, 12, 15, 10, tzinfo=tz)))
    batch = []
    for town, template, purpose, when in rows:
        batch.append(
            Inspection(
                client_uuid=uuid.uuid4(),
                template=template,
                inspector=inspector,
                purpose=purpose,
                period=year,
                status="approved",
                subject_kind="town",
                subject_id=town.pk,
                subject_name=town.name,
                subject_region=town,
                subject_town=town,
                answers=answers,
                score=scores[template.pk],
                percent=Decimal(rng.randint(6000, 10000)) / 100,
                vetoed=rng.random() < 0.002,
                submitted_at=when,
                reviewed_at=when + timedelta(days=1),
            )
        )
        if len(batch) == 2000:
            Inspection.objects.bulk_create(batch)
            batch = []
    Inspection.objects.bulk_create(batch)
    return "towns-bench", year


RAW = """
SELECT i.subject_id, t.key, i.purpose, AVG(i.percent), MAX(i.submitted_at), BOOL_OR(i.vetoed), COUNT(*)
FROM checklists_inspection i JOIN checklists_checklisttemplate t ON t.id = i.template_id
WHERE i.status = 'approved' AND i.subject_kind = 'town' AND t.key IN ('safety-town', 'fire-town')
  AND i.period = %s
GROUP BY i.subject_id, t.key, i.purpose
"""


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgis://"):
        sys.exit("bench/scoreboard 需要 PostGIS：请用 make bench 运行，或设置 DATABASE_URL=postgis://…")
    scheme_key, year = setup()
    from django.db import connection

    with connection.cursor() as cur:  # steady state for both sides: hint bits set, statistics current
        cur.execute("VACUUM ANALYZE checklists_inspection")
        cur.execute("VACUUM ANALYZE checklists_finding")

    from checklists.models import Inspection
    from scoring.assessment.services import assessment_recompute

    def raw() -> None:
        with connection.cursor() as cur:
            cur.execute(RAW, [year])
            cur.fetchall()

    n_rows = Inspection.objects.filter(
        subject_name__startswith="基准镇", template__key__in=["safety-town", "fire-town"]
    ).count()
    raw()  # warm caches for both
    t_raw, t_app = best_of(7, raw, lambda: assessment_recompute(scheme_key=scheme_key))
    ratio = t_app / t_raw
    print(f"bench/scoreboard  {UNITS} units × {MONTHS} months × 2 components + annual = {n_rows} inspections")
    print(f"  raw SQL aggregate (GROUP BY subject, template, purpose):  {t_raw * 1000:8.1f} ms")
    print(f"  recompute (aggregate + evaluate + rank + awards + write): {t_app * 1000:8.1f} ms")
    print(f"  ratio     {ratio:.2f}×  target ≤ {TARGET:.1f}×  → {'PASS' if ratio <= TARGET else 'FAIL'}")


if __name__ == "__main__":
    main()
