"""Subject kinds as plug-ins: what follows from the inspection lifecycle for one kind of subject.

Submitting, reviewing (approve / reject), amending and withdrawing an inspection work the same for every
subject — a town, a department, an enterprise, a village, a sewage facility, a river section, the
outfalls to come. What an event means *for the subject* differs: an approved audit of a sewage facility
sets the facility's operating condition and settles the facility's earlier rectifications, a town's
inspection does nothing of the kind. That difference is a ``SubjectHooks`` registered for the kind; the
lifecycle calls ``hooks_for(inspection.subject_kind)`` and never asks which kind it has. A kind with
nothing to add gets the no-ops.

Plug-ins are modules of this package (``checklists/subjects/sewage.py``), registered once from
``ChecklistsConfig.ready()``. Every hook runs inside the lifecycle's transaction, after its checks and
with the inspection row locked: a hook that fails rolls the whole event back.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kernel.access import Principal

    from ..models import Inspection, Rectification

NOTHING: frozenset[str] = frozenset()


class SubjectHooks:
    """What a subject kind adds to the inspection lifecycle; each method is a no-op here."""

    def on_submitted(self, *, principal: Principal, inspection: Inspection) -> None:
        """A revision was submitted (its findings exist)."""

    def on_approved(self, *, principal: Principal, inspection: Inspection, at: datetime) -> frozenset[str]:
        """The inspection was approved at ``at``; its findings are about to become rectifications.
        Returns the item keys whose problems are already being rectified: no new rectification for them."""
        return NOTHING

    def on_rejected(self, *, principal: Principal, inspection: Inspection) -> None:
        """The inspection was sent back to its inspector."""

    def on_amended(
        self, *, principal: Principal, inspection: Inspection, approved_at: datetime
    ) -> frozenset[str]:
        """The district corrected the answers of an inspection first approved at ``approved_at``; the new
        revision's findings exist and are about to become rectifications. Returns the item keys whose
        problems are already being rectified elsewhere: no new rectification for them."""
        return NOTHING

    def on_withdrawn(
        self, *, principal: Principal, inspection: Inspection, reason: str, note: str
    ) -> dict[str, list[int]]:
        """The district withdrew the inspection (its own open rectifications are already cancelled, with
        ``note``). Returns any further rectifications changed, by what happened to them (e.g.
        ``{"reopened": [ids]}``), recorded with the correction."""
        return {}

    def on_plan_decided(self, *, principal: Principal, rectification: Rectification, decision: str) -> None:
        """The district decided the plan (rebuild / retire / demolish) of a rectification of this kind."""


_NONE = SubjectHooks()
_REGISTRY: dict[str, SubjectHooks] = {}


def register(kind: str, hooks: SubjectHooks) -> None:
    """Plug ``hooks`` in for ``kind``. Registering the same object twice is harmless; a second, different
    registration for a kind is a wiring mistake and refused."""
    present = _REGISTRY.get(kind)
    if present is not None and present is not hooks:
        raise ValueError(f"subject kind {kind!r} already has hooks: {present!r}")
    _REGISTRY[kind] = hooks


def unregister(kind: str) -> None:
    """Remove the hooks of ``kind`` (tests plugging in a throwaway kind clean up with this)."""
    _REGISTRY.pop(kind, None)


def hooks_for(kind: str) -> SubjectHooks:
    """The hooks of ``kind``, or the no-ops when none are registered."""
    return _REGISTRY.get(kind, _NONE)


def registered() -> dict[str, SubjectHooks]:
    """Every kind with hooks (a copy)."""
    return dict(_REGISTRY)
