"""Writes to the region tree: create, update (identity, moves with their subtree), repair the scope paths."""

from __future__ import annotations

from typing import Any

from django.contrib.gis.geos import MultiPolygon
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Now, Substr

from kernel.access import REGION_IDENTITY_EDITORS, REGISTRY_EDITORS, Principal
from kernel.audit.services import audit_record, snapshot
from kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied

from ..models import (
    PARENT_LEVEL,
    Region,
    RegionLevel,
)
from ..selectors import region_get
from .locations import LocationInput, _require_editor, located_fields
from .map_layers import MAP_LAYERS, map_layers_bump

# --- regions -----------------------------------------------------------------------------------------
# These services own ``Region.path``: whoever creates or moves a region (API, admin, import, demo) goes
# through them, so a region can never fall outside the scopes of the users above it.


def region_parent_error(level: str, parent: Region | None) -> str | None:
    """Why ``parent`` cannot hold a region of ``level`` (the tree is strict), or None."""
    expected = PARENT_LEVEL.get(RegionLevel(level))
    if (parent is None) != (expected is None) or (parent is not None and parent.level != expected):
        return "上级区划层级不正确" if expected is None or parent is not None else "缺少上级区划"
    return None


def _region_path(parent: Region | None, pk: int) -> str:
    return f"{parent.path if parent else '/'}{pk}/"


def _check_parent(level: str, parent: Region | None) -> None:
    if message := region_parent_error(level, parent):
        raise InvalidInput(message, details={"fields": {"parent_id": [message]}})


def _check_geometry(region: Region) -> None:
    for name in ("centroid", "boundary"):
        geom = getattr(region, name)
        if geom is None:
            continue
        if geom.srid not in (None, 4326):
            geom.transform(4326)
        if not geom.valid:
            raise InvalidInput(details={"fields": {name: [f"几何无效：{geom.valid_reason}"]}})


@transaction.atomic
def region_create(
    *,
    level: str,
    name: str,
    parent: Region | None = None,
    code: str | None = None,
    code_source: str = "",
    town_kind: str = "",
    households: int | None = None,
    centroid: LocationInput | None = None,
    is_synthetic: bool = False,
    alt_codes: list[str] | None = None,
    boundary: MultiPolygon | None = None,
    geometry_quality: str = "",
) -> Region:
    """Create a region under ``parent`` (which must be of the level directly above) and set its path."""
    level = RegionLevel(level)
    _check_parent(level, parent)
    region = Region(
        level=level,
        name=name,
        parent=parent,
        code=code or None,
        code_source=code_source,
        town_kind=town_kind,
        households=households,
        is_synthetic=is_synthetic,
        alt_codes=alt_codes or [],
        boundary=boundary,
        path="/",
    )
    if geometry_quality:
        region.geometry_quality = geometry_quality
    if centroid is not None:
        region.centroid = located_fields(centroid, field="centroid")["location"]
    _check_geometry(region)
    region.full_clean(exclude=["path"])
    region.save()
    region.path = _region_path(parent, region.pk)
    region.save(update_fields=["path"])
    map_layers_bump(*MAP_LAYERS)  # a path scopes every layer
    audit_record(action="geo.region.create", obj=region, region_path=region.path, after=snapshot(region))
    return region


# What a region's update may change. The API's RegionPatch offers clients only name, code, code_source and
# households; the back office and the regions import may change the rest. The level never changes (a town
# does not become a village: delete and create instead); ``parent_id`` moves the region and its subtree.
REGION_EDITABLE = (
    "name",
    "code",
    "code_source",
    "households",
    "alt_codes",
    "town_kind",
    "is_synthetic",
    "centroid",
    "boundary",
    "geometry_quality",
    "parent_id",
)


# A region's identity: what it is called, its division code and where that code comes from, where it
# stands in the tree. The district's registry (REGION_IDENTITY_EDITORS): a town's name reaches every
# scoreboard and export of the district. Town officers correct the rest (households of natural villages).
REGION_IDENTITY = ("name", "code", "code_source", "alt_codes", "parent_id")


def _identity_changes(region: Region, changes: dict[str, Any]) -> list[str]:
    """The identity fields ``changes`` would really change (a client may send the record back as it is)."""
    current = {
        "name": region.name,
        "code": region.code or None,
        "code_source": region.code_source,
        "alt_codes": region.alt_codes,
        "parent_id": region.parent_id,
    }
    wanted = {**changes, "code": changes.get("code") or None} if "code" in changes else changes
    return [f for f in REGION_IDENTITY if f in wanted and wanted[f] != current[f]]


@transaction.atomic
def region_update(*, principal: Principal, region_id: int, changes: dict[str, Any]) -> Region:
    """Correct a region's data (the office may fix codes: public datasets disagree), or move it under
    another parent of the same level (``parent_id``): its path and its whole subtree's are rewritten in
    this transaction, so every grant above the new parent covers it and none above the old one does."""
    _require_editor(principal)
    paths = principal.region_paths(REGISTRY_EDITORS)
    region = region_get(paths=paths, region_id=region_id)
    region = Region.objects.select_for_update().get(pk=region.pk)
    unknown = set(changes) - set(REGION_EDITABLE)
    if unknown:
        raise InvalidInput(details={"fields": {k: ["不允许修改的字段"] for k in sorted(unknown)}})
    identity = _identity_changes(region, changes)
    if identity and not principal.covers(region.path, REGION_IDENTITY_EDITORS):
        raise PermissionDenied(
            "区划的名称、代码及其来源和上级由区级（区安委办、系统管理员）维护；区镇可修改自然村户数",
            code="region_identity_reserved",
            details={"fields": {f: ["只有区级可以修改"] for f in identity}},
        )
    parent = region.parent
    if "parent_id" in changes and changes["parent_id"] != region.parent_id:
        parent = _new_parent(paths, region, changes["parent_id"])
    if "code" in changes:
        changes["code"] = changes["code"] or None
        if changes["code"] and Region.objects.filter(code=changes["code"]).exclude(pk=region.pk).exists():
            raise Conflict(
                "区划代码已被其他区划使用",
                code="duplicate_code",
                details={"fields": {"code": ["区划代码重复"]}},
            )
    if changes.get("households") is not None and region.level != RegionLevel.NATURAL_VILLAGE:
        raise InvalidInput(details={"fields": {"households": ["只有自然村登记户数"]}})
    name = changes.get("name", region.name)
    if Region.objects.filter(parent=parent, name=name).exclude(pk=region.pk).exists():
        field = "name" if "name" in changes else "parent_id"
        raise Conflict(
            "同一上级下已有同名区划", code="duplicate_name", details={"fields": {field: ["名称重复"]}}
        )
    before = snapshot(region)
    old_path = region.path
    for attr, value in changes.items():
        setattr(region, attr, value)
    region.parent = parent
    region.path = _region_path(parent, region.pk)
    _check_geometry(region)
    region.full_clean(exclude=["path", "parent"], validate_unique=False, validate_constraints=False)
    region.save()
    map_layers_bump(*MAP_LAYERS)  # boundaries, and paths that scope every layer
    if region.path != old_path:
        if old_path.endswith(f"/{region.pk}/"):
            _repath_subtree(old_path, region.path)
        else:  # the old path was already wrong: no prefix to rewrite, recompute the whole tree
            region_paths_repair()
    audit_record(
        action="geo.region.update", obj=region, region_path=region.path, before=before, after=snapshot(region)
    )
    return region


def _new_parent(paths: tuple[str, ...] | None, region: Region, parent_id: int | None) -> Region | None:
    parent = None
    if parent_id is not None:
        try:
            parent = region_get(paths=paths, region_id=parent_id)
        except NotFound as exc:
            message = "上级区划不存在或不在您的管辖范围内"
            raise InvalidInput(message, details={"fields": {"parent_id": [message]}}) from exc
    _check_parent(region.level, parent)
    return parent


def _repath_subtree(old: str, new: str) -> int:
    """Rewrite the path prefix of every descendant; ``updated_at`` moves so catalogues resend them."""
    return (
        Region.objects.filter(path__startswith=old)
        .exclude(path=new)
        .update(path=Concat(Value(new), Substr("path", len(old) + 1)), updated_at=Now())
    )


@transaction.atomic
def region_paths_repair() -> list[Region]:
    """Recompute every region's path from its parent chain and fix those that differ (rows written
    around the services: the back office before it used them, a shell, raw SQL). Returns the fixed rows."""
    rows = list(Region.objects.select_for_update().only("pk", "parent_id", "path", "name").order_by("pk"))
    children: dict[int | None, list[Region]] = {}
    for r in rows:
        children.setdefault(r.parent_id, []).append(r)
    fixed: list[Region] = []
    stack: list[tuple[Region, str]] = [(r, f"/{r.pk}/") for r in children.get(None, [])]
    while stack:
        region, path = stack.pop()
        if region.path != path:
            audit_record(
                action="geo.region.repath",
                obj=region,
                region_path=path,
                before={"path": region.path},
                after={"path": path},
            )
            region.path = path
            fixed.append(region)
        stack.extend((c, f"{path}{c.pk}/") for c in children.get(region.pk, []))
    Region.objects.bulk_update(fixed, ["path"], batch_size=500)
    return fixed
