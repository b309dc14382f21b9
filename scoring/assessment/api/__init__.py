"""Every ``/scoreboards/*`` route: the boards (catalogue, ranking, notice, publication, exports) and what
is behind a row (scorecards, appeals, task records, award decisions), combined into the one ``router``
that ``backend/api.py`` mounts."""

from ninja import Router

from . import boards, scorecards

router = Router(tags=["考核结果"])


def _mount(concept: Router, operation_prefix: str) -> None:
    """Add a concept's routes to ``router``, keeping the OpenAPI operation ids the routes had before they
    moved here (``scoring_api_*`` for the boards, ``checklists_api_*`` for the scorecards), so clients
    generated from the document keep their method names."""
    for path_view in concept.path_operations.values():
        for operation in path_view.operations:
            name = operation.view_func.__name__
            operation.operation_id = operation.operation_id or f"{operation_prefix}_{name}"
    router.add_router("", concept)


_mount(scorecards.router, "checklists_api")
_mount(boards.router, "scoring_api")

__all__ = ["router"]
