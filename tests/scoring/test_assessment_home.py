"""The assessment has one home: every /scoreboards route is served from scoring/assessment/, and it reads
inspections only through the port the checklists app installs."""

from __future__ import annotations

import pytest

from backend.api import api
from checklists.selectors import assessed
from scoring.assessment import source


def _view_modules(fragment: str) -> set[tuple[str, str]]:
    """(URL pattern, module of the view) of every API operation whose pattern contains ``fragment``."""
    found = set()
    for pattern in api.urls[0]:
        if fragment not in str(pattern.pattern):
            continue
        (path_view,) = (cell.cell_contents for cell in pattern.callback.__closure__)
        found |= {(str(pattern.pattern), op.view_func.__module__) for op in path_view.operations}
    return found


def test_every_scoreboard_route_lives_in_the_assessment_package() -> None:
    modules = _view_modules("scoreboards")
    assert len(modules) >= 10, modules
    elsewhere = sorted((p, m) for p, m in modules if not m.startswith("scoring.assessment.api."))
    assert elsewhere == []


def test_the_checklists_app_installs_the_inspection_source() -> None:
    assert source.inspections() is assessed


def test_a_second_source_is_a_wiring_mistake() -> None:
    class Other:
        pass

    with pytest.raises(ValueError, match="already installed"):
        source.install(Other())  # type: ignore[arg-type]
    source.install(assessed)  # the same one again is harmless
    assert source.inspections() is assessed
