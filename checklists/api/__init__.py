"""The inspector's mobile API and the review / rectification / spot-check endpoints.

One router module per concept, combined here into the one ``router`` that ``backend/api.py`` mounts."""

from ninja import Router

from . import (
    dossier,
    inspections,
    overview,
    photos,
    rectifications,
    review,
    spotchecks,
    upstream,
    workplan,
)

router = Router(tags=["检查表与检查"])


def _mount(concept: Router) -> None:
    """Add a concept's routes to ``router``. OpenAPI operation ids default to the view's module and name:
    keep the ids the routes had when they all lived in ``checklists/api.py``, so clients generated from
    the document keep their method names."""
    for path_view in concept.path_operations.values():
        for operation in path_view.operations:
            name = operation.view_func.__name__
            operation.operation_id = operation.operation_id or f"checklists_api_{name}"
    router.add_router("", concept)


for _concept in (inspections, photos, review, rectifications, dossier, spotchecks, upstream):
    _mount(_concept.router)
router.add_router("", workplan.router)  # 稳Ⅲ提Ⅲ 工作方案 (issue 18): new routes, ids of their own
router.add_router("", overview.router)  # 区镇总览 (issue 19)

__all__ = ["router"]
