"""Saving a 工作方案's analysis text: a new version each time, guarded by the version the writer read."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils import timezone

from geo.models import RiverSection
from geo.selectors import section_list
from kernel.access import REVIEWING_ROLES, Principal
from kernel.audit.services import audit_record
from kernel.errors import ApplicationError, Conflict, InvalidInput, NotFound, PermissionDenied

from .models import ANALYSIS_MAX_CHARS, DOCUMENT_NUMBER_MAX_CHARS, WorkPlan, WorkPlanVersion

# Who writes a plan: the towns responsible for the section (按分工负责) and the district's offices (生态环境局
# 牵头) — the roles that act on rectifications, inside their scope. Planners and inspectors read it.
WORK_PLAN_WRITERS = REVIEWING_ROLES
# Control characters a Word document cannot hold (XML 1.0); line breaks and tabs are kept.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def plan_year_check(year: int) -> None:
    """A plan is for this year or an earlier one (2000 on): a future year is a 422 naming ``year``."""
    if not 2000 <= year <= timezone.localdate().year:
        raise InvalidInput(details={"fields": {"year": ["应为 2000 年至今年之间的年份"]}})


def section_for_plan(*, principal: Principal, section_id: int) -> RiverSection:
    """The section, if the caller sees it (404 otherwise, existence not revealed)."""
    section = section_list(paths=principal.region_paths()).filter(pk=section_id).first()
    if section is None:
        raise NotFound("断面不存在或不在您的管辖范围内", details={"section_id": section_id})
    return section


def work_plan_may_edit(*, principal: Principal, section_id: int) -> bool:
    """Whether the caller may save the section's plan (what ``work_plan_save`` checks; for pages)."""
    writable = section_list(paths=principal.region_paths(WORK_PLAN_WRITERS)).filter(pk=section_id)
    return principal.has_any(WORK_PLAN_WRITERS) and writable.exists()


def _writable(principal: Principal, section_id: int) -> RiverSection:
    section = section_for_plan(principal=principal, section_id=section_id)
    if not work_plan_may_edit(principal=principal, section_id=section_id):
        raise PermissionDenied("您的角色不能编辑此断面的工作方案", details={"section_id": section_id})
    return section


def _check_text(analysis: str, document_number: str) -> None:
    fields: dict[str, list[str]] = {}
    for name, text, limit in (("analysis", analysis, ANALYSIS_MAX_CHARS),
                              ("document_number", document_number, DOCUMENT_NUMBER_MAX_CHARS)):  # fmt: skip
        if len(text) > limit:
            fields[name] = [f"不能超过 {limit} 字"]
        elif _CONTROL.search(text) or (name == "document_number" and "\n" in text):
            fields[name] = ["含有不能使用的控制字符"]
    if fields:
        raise InvalidInput(details={"fields": fields})


@transaction.atomic
def work_plan_save(
    *,
    principal: Principal,
    section_id: int,
    year: int,
    analysis: str,
    document_number: str,
    if_match: int | None,
) -> WorkPlanVersion:
    """Save the plan's analysis text (and 文号) as its next version. Scope first (404), then role (403),
    then input (422); a plan that has versions needs ``If-Match`` with the version the writer edited (428
    ``if_match_required``, 409 ``version_conflict`` with ``current_version``). Saving the current text
    again makes no new version (a replayed request)."""
    section = _writable(principal, section_id)
    plan_year_check(year)
    analysis, document_number = analysis.strip(), document_number.strip()
    _check_text(analysis, document_number)
    WorkPlan.objects.get_or_create(section=section, year=year)
    plan = WorkPlan.objects.select_for_update().get(section=section, year=year)
    if plan.version and (analysis, document_number) == (plan.analysis, plan.document_number):
        return plan.versions.select_related("saved_by").get(version=plan.version)
    if plan.version and if_match is None:
        raise ApplicationError(
            "修改已有工作方案须携带 If-Match（所编辑的版本号）",
            code="if_match_required",
            status=428,
            details={"current_version": plan.version},
        )
    if if_match is not None and if_match != plan.version:
        raise Conflict(
            "工作方案已被他人修改，请在最新版本上编辑",
            code="version_conflict",
            details={"current_version": plan.version},
        )
    before = {"version": plan.version, "analysis": plan.analysis, "document_number": plan.document_number}
    now = timezone.now()
    plan.version += 1
    plan.analysis, plan.document_number = analysis, document_number
    plan.updated_by_id, plan.updated_at = principal.user_id, now
    plan.save()
    saved = WorkPlanVersion.objects.create(
        plan=plan, version=plan.version, analysis=analysis, document_number=document_number,
        saved_by_id=principal.user_id, saved_at=now,
    )  # fmt: skip
    audit_record(
        action="scoring.work_plan.save",
        obj=plan,
        region_path=section.region.path,
        before=before,
        after={"version": plan.version, "analysis": analysis, "document_number": document_number},
    )
    return WorkPlanVersion.objects.select_related("saved_by").get(pk=saved.pk)
