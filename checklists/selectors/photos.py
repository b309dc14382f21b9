"""Photo attachments read by one viewer: each with its flags as that viewer may read them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from geo.selectors import subjects_visible
from kernel.access import Principal
from media.checks import flags_for_viewer


class _ViewerPhotos(QuerySet[Any]):
    """Photo attachments read by one viewer: when fetched — a prefetch fetches those of every row at once —
    each gets ``viewer_flags``, its flags as that viewer may read them (:func:`photo_flags_for_viewer`)."""

    viewer: Principal | None = None

    def _clone(self) -> _ViewerPhotos:
        clone: _ViewerPhotos = super()._clone()  # type: ignore[assignment]
        clone.viewer = self.viewer
        return clone

    def _fetch_all(self) -> None:
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self.viewer is not None and self._result_cache:
            photo_flags_for_viewer(principal=self.viewer, links=self._result_cache)


def _photos_for(model: type[Any], principal: Principal | None) -> QuerySet[Any]:
    qs = _ViewerPhotos(model=model).select_related("photo")
    qs.viewer = principal
    return qs


def photo_flags_for_viewer(*, principal: Principal, links: list[Any]) -> list[Any]:
    """Set ``viewer_flags`` on these attachments: their stored flags as the principal may read them — a
    duplicate photo's other subject is named only to a viewer whose scope holds it (one query per
    subject kind for all the links)."""
    wanted = set()
    for link in links:
        for flag in link.flags:
            details = flag.get("details") or {}
            if flag.get("code") == "duplicate_photo" and isinstance(details.get("subject_id"), int):
                wanted.add((str(details.get("subject_kind")), details["subject_id"]))
    visible = subjects_visible(paths=principal.region_paths(), subjects=wanted) if wanted else set()
    for link in links:
        link.viewer_flags = flags_for_viewer(link.flags, visible)
    return links
