"""The 通报 table and the monthly water table (issue 13): a renamed town or section cannot put a formula
into an export, in Excel or CSV, titles included."""

from __future__ import annotations

from checklists.services.templates import templates_sync
from scoring.assessment.services import assessment_recompute
from tests.checklists.conftest import Phone
from tests.checklists.test_exports import assess
from tests.conftest import ApiClient, make_user
from tests.scoring.test_scoreboard_e2e import safety
from tests.sheets import HOSTILE, inert_csv, inert_xlsx


def test_a_renamed_town_cannot_carry_a_formula_into_the_scoreboard_export(world) -> None:  # type: ignore[no-untyped-def]
    templates_sync()
    office = Phone(make_user("district_office", world.district, username="anweiban_x"))
    reviewer = ApiClient(make_user("district_office", world.district, username="anweiban_y"))
    assess(office, reviewer, world.town_a, "safety-town", safety())
    assess(office, reviewer, world.town_b, "safety-town", safety(hazards=2))
    world.town_a.name = HOSTILE
    world.town_a.save()
    assessment_recompute(scheme_key="towns-2022")
    for reverse in (False, True):
        url = "/api/v1/scoreboards/towns-2022/export"
        xlsx = office.get(url, reverse=reverse)
        assert xlsx.status_code == 200, xlsx.content
        rows = inert_xlsx(xlsx.content)["考核结果"]
        assert f"'{HOSTILE}" in [r[1] for r in rows[2:4]]
        csv_rows = inert_csv(office.get(url, reverse=reverse, format="csv").content)
        assert f"'{HOSTILE}" in [r[1] for r in csv_rows[1:3]]


def test_a_renamed_section_cannot_carry_a_formula_into_the_monthly_water_table(world) -> None:  # type: ignore[no-untyped-def]
    world.section_a.name = HOSTILE
    world.section_a.save()
    bureau = ApiClient(make_user("environment_bureau", world.district, username="huanjing"))
    url = "/api/v1/water/reports/monthly"
    xlsx = bureau.get(url, year=2022, month=9)
    assert xlsx.status_code == 200, xlsx.content
    assert f"'{HOSTILE}" in [r[1] for r in inert_xlsx(xlsx.content)["2022-09"]]
    assert f"'{HOSTILE}" in [
        r[1] for r in inert_csv(bureau.get(url, year=2022, month=9, format="csv").content)
    ]
