"""Importing a district's divisions (``manage.py import_regions``): the parsed file meets the registry.

The file is read by the pure parser (``geo/region_table/``). Here every row is planned against the
database before anything is written: parents are found by code (in the file or in the system, also by a
region's ``alt_codes``), rows match existing regions by code (or, without one, by name under their
parent), and each row becomes a create, an update of the fields the file gives, or nothing. Any error —
the parser's or one found here — means nothing is written; a dry run writes nothing either. Writes go
through ``geo.services.region_create`` / ``region_update``, so paths (and a moved region's subtree) are
right and every change is audited. Running the same file twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import transaction

from kernel.access import Principal
from kernel.audit.services import audit_record

from . import region_table as rt
from .models import LocationQuality, Region
from .services import region_create, region_update

# Errors found against the database, beside region_table.ROW_ERROR_CODES.
DB_ERROR_CODES = frozenset(
    {
        "unknown_parent",  # the parent's code is neither in the file nor in the system
        "parent_level_mismatch",  # the parent found is not of the level directly above
        "level_changed",  # the code belongs to a region of another level
        "duplicate_name",  # another region of that name already sits under the parent
        "outside_district",  # the row does not lie in --district-code
    }
)
_SYSTEM = Principal(user_id=0, username="system", is_superuser=True)  # a command: no person to name
_RANK = {level: i for i, level in enumerate(rt.REGION_LEVELS)}


@dataclass
class _Plan:
    row: rt.RegionRow
    existing: Region | None = None
    parent: Region | None = None  # an existing parent
    parent_plan: _Plan | None = None  # a parent created by this import
    district: str | None = None  # the code of the district the row lies in
    changes: dict[str, Any] = field(default_factory=dict)
    region: Region | None = None  # after writing

    @property
    def action(self) -> str:
        if self.existing is None:
            return "create"
        return "update" if self.changes else "unchanged"


def regions_import(
    *, data: bytes, filename: str, dry_run: bool = False, district_code: str | None = None
) -> dict[str, Any]:
    """Plan the file against the registry and, when it has no error and this is no dry run, write it in
    one transaction. Raises ``region_table.RegionFileError`` when the file (or ``district_code``) is
    unusable; returns the report (``ok``, ``errors``, ``would_create`` / ``would_update`` / ``unchanged``,
    ``created`` / ``updated``, ``changes``)."""
    table = rt.parse_regions(data, filename)
    district = _district_code(district_code)
    errors = [e.as_dict() for e in table.errors]
    plans = _Planner(table, district).plan(table.rows, errors)
    errors.sort(key=lambda e: (e["row"], e["cell"], e["code"]))
    counts = {a: sum(1 for p in plans if p.action == a) for a in ("create", "update", "unchanged")}
    report: dict[str, Any] = {
        "ok": not errors,
        "dry_run": dry_run,
        "file_format": table.file_format,
        "sheet": table.sheet,
        "encoding": table.encoding,
        "header_row": table.header_row,
        "rows_read": table.rows_read,
        "ignored_columns": list(table.ignored_columns),
        "error_count": len(errors),
        "errors": errors,
        "would_create": counts["create"],
        "would_update": counts["update"],
        "unchanged": counts["unchanged"],
        "created": 0,
        "updated": 0,
        "changes": [
            {
                "row": p.row.row,
                "code": p.row.code,
                "name": p.row.name,
                "level": p.row.level,
                "action": p.action,
                "fields": sorted(p.changes) if p.existing else [],
            }
            for p in plans
            if p.action != "unchanged"
        ],
    }
    if errors or dry_run:
        return report
    _write(plans, filename=filename, district=district)
    report["created"], report["updated"] = counts["create"], counts["update"]
    return report


def _district_code(text: str | None) -> str | None:
    if not text:
        return None
    code = rt.normalise_code(text)
    if code is None or rt.level_of_code(code) != rt.DISTRICT:
        raise rt.RegionFileError(
            "invalid_district_code", f"--district-code 应为区（县）的区划代码，如 320614000000：{text}"
        )
    return code


class _Planner:
    def __init__(self, table: rt.RegionTable, district: str | None) -> None:
        self.table, self.district = table, district
        regions = list(Region.objects.defer("boundary", "centroid").order_by("pk"))
        self.by_pk = {r.pk: r for r in regions}
        self.by_code = {r.code: r for r in regions if r.code}
        self.by_alt: dict[str, Region] = {}
        for r in regions:
            for alt in r.alt_codes or []:
                self.by_alt.setdefault(alt, r)
        self.by_name = {(r.parent_id, r.name): r for r in regions}
        self.plans_by_code: dict[str, _Plan] = {}
        self.plans_by_alt: dict[str, _Plan] = {}
        # (parent, name) → who holds it: ("db", pk) parents for existing regions, ("plan", key) for new ones
        self.taken: dict[tuple[Any, str], Any] = {(("db", r.parent_id), r.name): r.pk for r in regions}
        if district and district not in self.by_code:
            in_file = any(r.code == district and r.level == rt.DISTRICT for r in table.rows)
            if not in_file:
                raise rt.RegionFileError(
                    "unknown_district",
                    f"区划代码为 {district} 的区既不在文件中，也不在系统中",
                    district_code=district,
                )

    def plan(self, rows: tuple[rt.RegionRow, ...], errors: list[dict[str, Any]]) -> list[_Plan]:
        plans = []
        for row in sorted(rows, key=lambda r: _RANK[r.level]):
            problems: list[dict[str, Any]] = []
            p = self._plan(row, problems)
            if p is None:
                continue  # its parent's row has errors: judged once that row is fixed
            errors.extend(problems)
            if not problems:
                plans.append(p)
            if row.code:  # also a row with problems: its children should not read "unknown parent"
                self.plans_by_code[row.code] = p
                for alt in row.alt_codes:
                    self.plans_by_alt.setdefault(alt, p)
        return sorted(plans, key=lambda p: (_RANK[p.row.level], p.row.row))

    def _error(
        self,
        problems: list[dict[str, Any]],
        row: rt.RegionRow,
        column: str,
        code: str,
        msg: str,
        value: str | None,
    ) -> None:
        text, number = self.table.columns.get(
            column, (rt.REGION_HEADERS[list(rt.REGION_COLUMNS).index(column)], 0)
        )
        problems.append(rt.RowError(row.row, text, code, msg, value or "", number).as_dict())

    def _plan(self, row: rt.RegionRow, problems: list[dict[str, Any]]) -> _Plan | None:
        if row.parent_code in self.table.rejected_codes and row.parent_code not in self.plans_by_code:
            return None
        p = _Plan(row)
        parent_ident: Any = None
        if row.level == rt.DISTRICT:
            p.district = row.code
        else:
            parent_ident = self._parent(p, problems)
        if problems:
            return p
        self._match(p, parent_ident, problems)
        if self.district and p.district != self.district:
            where = f"区划代码 {p.district} 的区" if p.district else "其他区"
            self._error(
                problems,
                row,
                "code" if row.code else "parent_code",
                "outside_district",
                f"该区划属于{where}，不在 --district-code {self.district} 范围内",
                row.code or row.parent_code,
            )
        return p

    def _parent(self, p: _Plan, problems: list[dict[str, Any]]) -> Any:
        row, code = p.row, p.row.parent_code or ""
        column = "code" if row.parent_code_derived else "parent_code"
        # A code wins over an alternative code (public datasets reuse each other's codes for other towns).
        plan = self.plans_by_code.get(code)
        found = self.by_code.get(code) if plan is None else None
        if plan is None and found is None:
            plan = self.plans_by_alt.get(code)
            found = self.by_alt.get(code) if plan is None else None
        if plan is not None:
            p.parent_plan, p.district = plan, plan.district
            level, name = plan.row.level, plan.row.name
            ident = ("db", plan.existing.pk) if plan.existing else ("plan", plan.row.key)
            if plan.existing is not None:
                p.parent = plan.existing
        elif found is not None:
            p.parent, p.district = found, self._district_of(found)
            level, name, ident = found.level, found.name, ("db", found.pk)
        else:
            derived = "" if column == "parent_code" else "（由区划代码推得）"
            self._error(
                problems,
                row,
                column,
                "unknown_parent",
                f"上级区划 {code}{derived}不存在：文件中和系统中都没有",
                code,
            )
            return None
        expected = rt.PARENT_LEVEL[row.level]
        if level != expected:
            self._error(
                problems,
                row,
                column,
                "parent_level_mismatch",
                f"上级区划「{name}」是{rt.REGION_LEVELS[level]}，{rt.REGION_LEVELS[row.level]}的上级应为"
                f"{rt.REGION_LEVELS[expected]}",
                code,
            )
        return ident

    def _district_of(self, region: Region) -> str | None:
        root = self.by_pk.get(int(region.path.strip("/").split("/")[0])) if region.path.strip("/") else None
        return root.code if root is not None else None

    def _match(self, p: _Plan, parent_ident: Any, problems: list[dict[str, Any]]) -> None:
        row = p.row
        existing = self.by_code.get(row.code) if row.code else None
        if existing is None and parent_ident is not None and parent_ident[0] == "db":
            same_name = self.by_name.get((parent_ident[1], row.name))
            if same_name is not None and same_name.code and row.code and same_name.code != row.code:
                self._error(
                    problems,
                    row,
                    "name",
                    "duplicate_name",
                    f"「{same_name.name}」已登记在同一上级下（区划代码 {same_name.code}），与本行代码不同",
                    row.name,
                )
                return
            existing = same_name
        if existing is not None and existing.level != row.level:
            self._error(
                problems,
                row,
                "level",
                "level_changed",
                f"系统中的「{existing.name}」是{rt.REGION_LEVELS[existing.level]}，"
                f"不能改为{rt.REGION_LEVELS[row.level]}",
                row.level,
            )
            return
        p.existing = existing
        holder = existing.pk if existing is not None else ("plan", row.key)
        slot = (parent_ident if parent_ident is not None else ("db", None), row.name)
        if self.taken.get(slot, holder) != holder:
            self._error(
                problems, row, "name", "duplicate_name", f"同一上级下已有名为「{row.name}」的区划", row.name
            )
            return
        self.taken[slot] = holder
        if existing is not None:
            p.changes = self._changes(p, existing, parent_ident)

    def _changes(self, p: _Plan, existing: Region, parent_ident: Any) -> dict[str, Any]:
        row, changes = p.row, {}
        if row.name != existing.name:
            changes["name"] = row.name
        if parent_ident is not None and parent_ident != ("db", existing.parent_id):
            changes["parent_id"] = None  # resolved when written (the parent may be new)
        if row.code and row.code != existing.code:
            changes["code"] = row.code
        if row.code_source is not None and row.code_source != existing.code_source:
            changes["code_source"] = row.code_source
        if row.alt_codes and list(row.alt_codes) != list(existing.alt_codes or []):
            changes["alt_codes"] = list(row.alt_codes)
        kind = row.town_kind or (row.town_kind_derived if not existing.town_kind else None)
        if kind and kind != existing.town_kind:
            changes["town_kind"] = kind
        if row.households is not None and row.households != existing.households:
            changes["households"] = row.households
        if row.boundary_wkt is not None:
            stored = Region.objects.filter(pk=existing.pk).values_list("boundary", flat=True).first()
            new = _multipolygon(row.boundary_wkt)
            if stored is None or not stored.equals_exact(new, 1e-9):
                changes["boundary"], changes["geometry_quality"] = new, LocationQuality.SURVEYED
        if existing.is_synthetic:
            changes["is_synthetic"] = False  # a real list of divisions
        return changes


def _multipolygon(wkt: str) -> MultiPolygon:
    geom = GEOSGeometry(wkt, srid=4326)
    assert isinstance(geom, MultiPolygon)  # region_table.boundary_wkt gives MultiPolygons only
    return geom


@transaction.atomic
def _write(plans: list[_Plan], *, filename: str, district: str | None) -> None:
    for p in plans:
        row = p.row
        parent = p.parent_plan.region if p.parent_plan is not None else p.parent
        if p.existing is None:
            boundary = _multipolygon(row.boundary_wkt) if row.boundary_wkt else None
            p.region = region_create(
                level=row.level,
                name=row.name,
                parent=parent,
                code=row.code,
                code_source=row.code_source or "",
                town_kind=row.town_kind or row.town_kind_derived,
                households=row.households,
                alt_codes=list(row.alt_codes),
                boundary=boundary,
                geometry_quality=LocationQuality.SURVEYED if boundary else "",
            )
        elif p.changes:
            changes = dict(p.changes)
            if "parent_id" in changes:
                changes["parent_id"] = parent.pk if parent is not None else None
            p.region = region_update(principal=_SYSTEM, region_id=p.existing.pk, changes=changes)
        else:
            p.region = p.existing
    created = sum(1 for p in plans if p.action == "create")
    updated = sum(1 for p in plans if p.action == "update")
    root = Region.objects.filter(code=district).only("path").first() if district else None
    audit_record(
        action="geo.region.import",
        object_type="geo.region",
        region_path=root.path if root is not None else "",
        after={"file": filename, "district_code": district, "created": created, "updated": updated},
    )
