"""The checklists API is split into one router per concept: the OpenAPI operation ids stay as they were
when every route lived in ``checklists/api.py``, so clients generated from the document keep their
method names."""

from __future__ import annotations

from backend.api import api
from geo import demo as _demo  # noqa: F401 - shapely loads its own GEOS before Django's does (as in test_demo)

OPERATION_IDS = {
    ("/api/v1/catalogue", "get"): "catalogue",
    ("/api/v1/inspections", "get"): "inspection_list",
    ("/api/v1/inspections/{client_uuid}", "put"): "inspection_put",
    ("/api/v1/inspections/{client_uuid}", "get"): "inspection_detail",
    ("/api/v1/inspections/{client_uuid}/submit", "post"): "inspection_submit",
    ("/api/v1/inspections/{client_uuid}/review", "post"): "inspection_review",
    ("/api/v1/inspections/{client_uuid}/withdraw", "post"): "inspection_withdraw",
    ("/api/v1/inspections/{client_uuid}/amend", "post"): "inspection_amend",
    ("/api/v1/inspections/{client_uuid}/photos", "post"): "inspection_photo",
    ("/api/v1/rectifications/{rectification_id}/photos", "post"): "rectification_photo",
    ("/api/v1/appeals/{appeal_id}/photos", "post"): "appeal_photo",
    ("/api/v1/photos/{sha256}", "get"): "photo_file",
    ("/api/v1/rectifications", "get"): "rectification_list",
    ("/api/v1/rectifications/export", "get"): "rectification_export",
    ("/api/v1/rectifications/overdue-by-town", "get"): "overdue_by_town",
    ("/api/v1/rectifications/{rectification_id}/transition", "post"): "rectification_transition",
    ("/api/v1/sewage/facilities/{facility_id}", "get"): "facility_dossier",
    ("/api/v1/spot-checks", "post"): "spot_check_create",
    ("/api/v1/spot-checks", "get"): "spot_check_list",
    ("/api/v1/spot-checks/{spot_check_id}", "get"): "spot_check_detail",
    ("/api/v1/spot-checks/{spot_check_id}/verify", "get"): "spot_check_verify",
    ("/api/v1/spot-checks/{spot_check_id}/publish", "post"): "spot_check_publish",
    ("/api/v1/spot-checks/{spot_check_id}/comparison", "get"): "spot_check_comparison",
    ("/api/v1/scoreboards/{scheme_key}/appeals", "post"): "appeal_file",
    ("/api/v1/scoreboards/{scheme_key}/appeals", "get"): "appeal_list",
    ("/api/v1/scoreboards/{scheme_key}/units/{region_id}", "get"): "unit_scorecard",
    ("/api/v1/scoreboards/{scheme_key}/towns/{region_id}", "get"): "town_scorecard",
    ("/api/v1/scoreboards/{scheme_key}/towns/{region_id}/tasks", "put"): "town_tasks",
    ("/api/v1/scoreboards/{scheme_key}/awards/{award_key}/decision", "put"): "award_decision",
    # added since the split (issue 18): new routes get their id once, and keep it
    ("/api/v1/water/sections/{section_id}/upstream", "get"): "section_upstream",
    ("/api/v1/water/sections/{section_id}/outfall-coverage", "get"): "section_outfall_coverage",
}


def test_checklists_routes_keep_their_operation_ids() -> None:
    paths = api.get_openapi_schema()["paths"]
    found = {(path, method): paths[path][method]["operationId"] for path, method in OPERATION_IDS}
    assert found == {key: f"checklists_api_{name}" for key, name in OPERATION_IDS.items()}
    every = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert sorted(i for i in every if i.startswith("checklists_")) == sorted(
        f"checklists_api_{name}" for name in OPERATION_IDS.values()
    )
