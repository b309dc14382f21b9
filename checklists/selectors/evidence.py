"""Which photos a principal may see as evidence, and which an appeal may cite."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kernel.access import DISTRICT_ROLES, REVIEWING_ROLES, Principal
from kernel.errors import NotFound
from kernel.scope import scope_q
from media.models import Photo

from ..models import AppealPhoto, Inspection, InspectionPhoto, RectificationPhoto
from .inspections import _inspection_scope


def _evidence_links(principal: Principal, within: str | None = None) -> list[QuerySet[Any]]:
    """The attachments through which the principal may see photos — to inspections and repairs they may
    see, and uploads to appeals they may see — optionally only about subjects (for appeals: units)
    inside the region path ``within``."""
    paths = principal.region_paths(REVIEWING_ROLES | DISTRICT_ROLES)
    inspections = InspectionPhoto.objects.filter(
        inspection__in=Inspection.objects.filter(_inspection_scope(principal))
    )
    rectifications = RectificationPhoto.objects.filter(scope_q(paths, "rectification__subject_region__path"))
    # Only photos uploaded to an appeal: the SHA-256s an appeal merely names grant nothing.
    appeal_uploads = AppealPhoto.objects.filter(scope_q(paths, "appeal__region__path"))
    if within is not None:
        inspections = inspections.filter(inspection__subject_region__path__startswith=within)
        rectifications = rectifications.filter(rectification__subject_region__path__startswith=within)
        appeal_uploads = appeal_uploads.filter(appeal__region__path__startswith=within)
    return [inspections, rectifications, appeal_uploads]


def photo_visible(*, principal: Principal, sha256: str) -> Photo:
    """A photo, if it is evidence for something the principal may see (else 404)."""
    photo = Photo.objects.filter(sha256=sha256).first()
    if photo is not None and any(links.filter(photo=photo).exists() for links in _evidence_links(principal)):
        return photo
    raise NotFound("照片不存在或无权查看", details={"sha256": sha256})


def photos_citable(*, principal: Principal, region_path: str, sha256s: list[str]) -> set[str]:
    """Which of these photos an appeal about the unit at ``region_path`` may name: those the appellant may
    already see as evidence about that unit's region (an inspection's or a repair's about a subject
    there, or one uploaded to an appeal of that region). Whoever may see the appeal could see them
    already, so naming them opens nothing."""
    wanted = set(sha256s)
    found: set[str] = set()
    for links in _evidence_links(principal, within=region_path):
        if wanted - found:
            found |= set(
                links.filter(photo__sha256__in=wanted - found).values_list("photo__sha256", flat=True)
            )
    return found
