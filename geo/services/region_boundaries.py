"""Replacing region boundaries from a GIS file (``manage.py import_regions FILE.shp|.gpkg|.geojson|.zip``).

A real deployment draws its towns and villages from the surveyed boundaries (第三次国土调查 乡镇 / 村级
layers, the district's own GIS); the demo's are a Voronoi partition, flagged ``geometry_quality=synthetic``.
The file is read by ``geo.boundary_file`` (any SRS, GCJ-02 on request, geometry cleaned); here each
feature is matched to an existing region of the level — by division code (also a region's ``alt_codes``)
or by name, under the parent a parent field names when the name alone is ambiguous — and the matched
regions get the new boundary, a centroid recomputed from it and ``geometry_quality=surveyed`` (the
synthetic flag cleared), in one transaction with an audit event per region and one for the import;
once all of a district's towns are surveyed, its unsurveyed outline becomes their union.
The import never creates or renames regions (``import_regions`` with a CSV / XLSX does that first).
Features that match nothing are reported, not errors: a province-wide layer holds other districts.
A refused geometry or two features for one region is an error, and then nothing is written.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.db import transaction
from django.db.models import Q

from kernel.access import REGION_IDENTITY_EDITORS, Principal
from kernel.audit.services import audit_record
from kernel.errors import InvalidInput, PermissionDenied
from kernel.tables import norm

from .. import boundary_file as bf
from ..models import PARENT_LEVEL, LocationQuality, Region, RegionLevel
from ..region_table import normalise_code
from .map_layers import MAP_LAYERS, map_layers_bump

MATCH_BY = ("code", "name")
LIST_LIMIT = 200  # regions listed in the report as left without (or with a synthetic) boundary


def boundary_centroid(boundary: MultiPolygon) -> Point:
    """The boundary's centroid, or a point on its surface when the centroid falls outside (a crescent-shaped
    town, a town in two pieces): a region's centre must lie in the region, it places its label and pin."""
    centre = boundary.centroid
    return centre if boundary.contains(centre) else boundary.point_on_surface


def _code_of(text: str) -> str | None:
    digits = "".join(text.split())
    if len(digits) == 19 and digits.isdigit() and digits[12:] == "0" * 7:  # 三调 坐落单位代码
        digits = digits[:12]
    return normalise_code(digits) if digits else None


@transaction.atomic
def region_boundaries_import(
    *,
    principal: Principal,
    path: str,
    level: str = RegionLevel.TOWN,
    match_by: str | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    parent_field: str | None = None,
    layer: str | int | None = None,
    source_srid: int | None = None,
    datum: str = "wgs84",
    dry_run: bool = False,
) -> dict[str, Any]:
    """Match the file's features to the regions of ``level`` in the caller's scope and, unless this is a dry
    run or a feature was refused, replace their boundaries in one transaction. Returns the report (the
    same for a dry run); raises ``InvalidInput`` (``boundary_file.FILE_ERROR_CODES``, ``nothing_matched``,
    ``invalid_level``, ``invalid_match_by``) and ``PermissionDenied`` for callers who are not the district's
    registry (boundaries decide which town a facility lies in)."""
    paths = principal.region_paths(REGION_IDENTITY_EDITORS)
    if paths == ():
        raise PermissionDenied("区划边界由区级（区安委办、系统管理员）维护", code="region_identity_reserved")
    if level not in (RegionLevel.TOWN, RegionLevel.VILLAGE, RegionLevel.NATURAL_VILLAGE):
        message = f"--level 应为 town、village 或 natural_village：{level}"
        raise InvalidInput(message, code="invalid_level", details={"fields": {"level": [message]}})
    if match_by is not None and match_by not in MATCH_BY:
        message = f"--match-by 应为 code 或 name：{match_by}"
        raise InvalidInput(message, code="invalid_match_by", details={"fields": {"match_by": [message]}})
    data = bf.read_boundaries(path, layer=layer, source_srid=source_srid, datum=datum)
    matcher = _Matcher(
        data,
        principal_paths=paths,
        level=level,
        match_by=match_by,
        code_field=code_field,
        name_field=name_field,
        parent_field=parent_field,
    )
    report = matcher.report(dry_run=dry_run)
    if not report["matched"] and not report["errors"]:
        raise InvalidInput(
            f"文件中的 {len(data.features)} 个要素没有一个与系统中的{RegionLevel(level).label}匹配"
            f"（按{'区划代码' if matcher.match_by == 'code' else '名称'}，字段「{matcher.key_field}」）；"
            f"图层的字段：{'、'.join(data.fields)}",
            code="nothing_matched",
            details={
                "fields": {"file": ["没有匹配的要素"]},
                "unmatched": report["unmatched"][:20],
                "available_fields": data.fields,
            },
        )
    if report["errors"] or dry_run:
        return report
    _write(matcher.matches, report)
    report["replaced"] = len(matcher.matches)
    return report


class _Matcher:
    def __init__(
        self,
        data: bf.BoundaryFile,
        *,
        principal_paths: tuple[str, ...] | None,
        level: str,
        match_by: str | None,
        code_field: str | None,
        name_field: str | None,
        parent_field: str | None,
    ) -> None:
        self.data, self.level = data, level
        self.code_field = bf.guess_field(data.fields, code_field, bf.CODE_FIELDS, "区划代码")
        self.name_field = bf.guess_field(data.fields, name_field, bf.NAME_FIELDS, "名称")
        guesses = bf.PARENT_FIELDS if level != RegionLevel.TOWN else ()
        self.parent_field = bf.guess_field(data.fields, parent_field, guesses, "上级")
        self.match_by = match_by or ("code" if self.code_field else "name")
        self.key_field = self.code_field if self.match_by == "code" else self.name_field
        if self.key_field is None:
            what, option, tried = (
                ("区划代码", "--code-field", bf.CODE_FIELDS)
                if self.match_by == "code"
                else ("名称", "--name-field", bf.NAME_FIELDS)
            )
            raise bf.file_error(
                "unknown_field",
                f"找不到{what}字段（试过 {'、'.join(tried)}）；图层的字段：{'、'.join(data.fields) or '无'}；"
                f"请用 {option} 指定",
                available=data.fields,
            )
        regions = Region.objects.defer("boundary").order_by("path")
        if principal_paths is not None:
            scope = Q()
            for p in principal_paths:
                scope |= Q(path__startswith=p)
            regions = regions.filter(scope)
        self.regions = list(regions)
        self.candidates = [r for r in self.regions if r.level == level]
        drawn = Region.objects.filter(level=level, boundary__isnull=False).values_list("pk", flat=True)
        self.has_boundary = set(drawn)
        self.by_code = {r.code: r for r in self.regions if r.code}
        self.by_alt: dict[str, Region] = {}
        for r in self.regions:
            for alt in r.alt_codes or []:
                self.by_alt.setdefault(alt, r)
        self.by_name: dict[str, list[Region]] = {}
        for r in self.candidates:
            self.by_name.setdefault(norm(r.name), []).append(r)
        parent_level = PARENT_LEVEL[RegionLevel(level)]
        self.parents_by_name: dict[str, list[Region]] = {}
        for r in self.regions:
            if r.level == parent_level:
                self.parents_by_name.setdefault(norm(r.name), []).append(r)
        self.parent_level = parent_level
        self.matches: list[tuple[bf.Feature, Region]] = []

    def report(self, *, dry_run: bool) -> dict[str, Any]:
        matched: list[dict[str, Any]] = []
        unmatched: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        seen: dict[int, int] = {}
        for f in self.data.features:
            code = f.attrs.get(self.code_field, "") if self.code_field else ""
            name = f.attrs.get(self.name_field, "") if self.name_field else ""
            where = {"feature": f.number, "fid": f.fid, "code": code, "name": name}
            region, reason = self._match(f, code, name)
            if region is None:
                unmatched.append({**where, **reason})
                continue
            if f.error is not None:
                errors.append(
                    {
                        **where,
                        "region_id": region.pk,
                        "code": f.error[0],
                        "message": f.error[1],
                        "value": code or name,
                    }
                )
                continue
            if region.pk in seen:
                errors.append(
                    {
                        **where,
                        "region_id": region.pk,
                        "code": "duplicate_feature",
                        "value": code or name,
                        "message": f"「{region.name}」已由第 {seen[region.pk]} 个要素匹配，"
                        "一个区划只能有一个边界",
                    }
                )
                continue
            seen[region.pk] = f.number
            self.matches.append((f, region))
            assert f.boundary is not None
            matched.append(
                {
                    **where,
                    "region_id": region.pk,
                    "region_name": region.name,
                    "region_code": region.code,
                    "repaired": f.repaired,
                    "was_synthetic": region.geometry_quality == LocationQuality.SYNTHETIC,
                    "had_boundary": region.pk in self.has_boundary,
                }
            )
        left = [r for r in self.candidates if r.pk not in seen]
        without = [r for r in left if r.pk not in self.has_boundary]
        synthetic = [r for r in left if r.geometry_quality == LocationQuality.SYNTHETIC and r not in without]
        d = self.data
        return {
            "ok": not errors,
            "dry_run": dry_run,
            "file": d.path,
            "driver": d.driver,
            "layer": d.layer_name,
            "layers": d.layer_names,
            "srs": {"name": d.srs_name, "srid": d.srs_srid},
            "datum": d.datum,
            "encoding": d.encoding,
            "level": self.level,
            "match_by": self.match_by,
            "fields": {"code": self.code_field, "name": self.name_field, "parent": self.parent_field},
            "features_read": len(d.features),
            "matched": matched,
            "would_replace": len(matched) if not errors else 0,
            "replaced": 0,
            "repaired": sum(1 for m in matched if m["repaired"]),
            "unmatched": unmatched,
            "error_count": len(errors),
            "errors": errors,
            "without_boundary_count": len(without),
            "without_boundary": [_brief(r) for r in without[:LIST_LIMIT]],
            "still_synthetic_count": len(synthetic),
            "still_synthetic": [_brief(r) for r in synthetic[:LIST_LIMIT]],
            "district_outlines": [_brief(r) for r in self._outlines(seen)] if not errors else [],
        }

    def _outlines(self, seen: dict[int, int]) -> list[Region]:
        """Districts whose outline is not surveyed and whose towns will all be: their outline becomes the
        union of their towns (the demo's district outline is a buffered hull of approximate centres)."""
        if self.level != RegionLevel.TOWN:
            return []
        surveyed = {
            r.pk
            for r in self.candidates
            if r.pk in self.has_boundary and r.geometry_quality == LocationQuality.SURVEYED
        }
        out = []
        for district in (r for r in self.regions if r.level == RegionLevel.DISTRICT):
            towns = [r.pk for r in self.candidates if r.parent_id == district.pk]
            if (
                district.geometry_quality != LocationQuality.SURVEYED
                and any(t in seen for t in towns)
                and all(t in seen or t in surveyed for t in towns)
            ):
                out.append(district)
        return out

    def _match(self, f: bf.Feature, code: str, name: str) -> tuple[Region | None, dict[str, str]]:
        if self.match_by == "code":
            normal = _code_of(code)
            if normal is None:
                return None, {
                    "reason": "no_code" if not code else "invalid_code",
                    "message": "要素没有区划代码"
                    if not code
                    else f"区划代码「{code}」不是 6、9 或 12 位数字",
                }
            region = self.by_code.get(normal) or self.by_alt.get(normal)
            if region is None:
                return None, {
                    "reason": "unknown_code",
                    "message": f"系统中（您的范围内）没有区划代码 {normal}",
                }
            if region.level != self.level:
                return None, {
                    "reason": "other_level",
                    "message": f"区划代码 {normal} 是{region.get_level_display()}「{region.name}」",
                }
            return region, {}
        if not name:
            return None, {"reason": "no_name", "message": "要素没有名称"}
        found = self.by_name.get(norm(name), [])
        parent_text = f.attrs.get(self.parent_field, "") if self.parent_field else ""
        if parent_text:
            parents = self._parents(parent_text)
            if not parents:
                return None, {"reason": "unknown_parent", "message": f"系统中没有上级区划「{parent_text}」"}
            found = [r for r in found if r.parent_id in {p.pk for p in parents}]
        if not found:
            return None, {
                "reason": "unknown_name",
                "message": f"系统中（您的范围内）没有名为「{name}」的区划",
            }
        if len(found) > 1:
            return None, {
                "reason": "ambiguous_name",
                "message": f"有 {len(found)} 个名为「{name}」的区划，请用 --parent-field 指明上级",
            }
        return found[0], {}

    def _parents(self, text: str) -> list[Region]:
        code = _code_of(text) if text.replace(" ", "").isdigit() else None
        if code is not None:
            region = self.by_code.get(code) or self.by_alt.get(code)
            return [region] if region is not None and region.level == self.parent_level else []
        return self.parents_by_name.get(norm(text), [])


def _brief(region: Region) -> dict[str, Any]:
    return {"id": region.pk, "name": region.name, "code": region.code}


@transaction.atomic
def _write(matches: list[tuple[bf.Feature, Region]], report: dict[str, Any]) -> None:
    ids = [region.pk for _, region in matches]
    locked = {r.pk: r for r in Region.objects.select_for_update().filter(pk__in=ids)}
    # New boundaries and centroids: the towns layer, and rectifications placed at a region's centre.
    map_layers_bump(*MAP_LAYERS)
    for feature, matched in matches:
        region = locked[matched.pk]
        boundary = feature.boundary
        assert boundary is not None
        before = {
            "boundary": region.boundary,
            "centroid": region.centroid,
            "geometry_quality": region.geometry_quality,
        }
        region.boundary = boundary
        region.centroid = boundary_centroid(boundary)
        region.geometry_quality = LocationQuality.SURVEYED
        region.save(update_fields=["boundary", "centroid", "geometry_quality", "updated_at"])
        audit_record(
            action="geo.region.boundary_replace",
            obj=region,
            region_path=region.path,
            before=before,
            after={
                "boundary": region.boundary,
                "centroid": region.centroid,
                "geometry_quality": region.geometry_quality,
                "file": report["file"],
                "feature": feature.number,
                "repaired": feature.repaired,
            },
        )
    for brief in report["district_outlines"]:
        _outline_from_towns(brief["id"], report)
    paths = [locked[i].path for i in ids]
    audit_record(
        action="geo.region.boundaries_import",
        object_type="geo.region",
        region_path=_common_path(paths),
        after={
            "file": report["file"],
            "layer": report["layer"],
            "srs": report["srs"],
            "datum": report["datum"],
            "level": report["level"],
            "match_by": report["match_by"],
            "replaced": len(matches),
            "repaired": report["repaired"],
            "unmatched": len(report["unmatched"]),
            "regions": ids,
        },
    )


def _outline_from_towns(district_id: int, report: dict[str, Any]) -> None:
    district = Region.objects.select_for_update().get(pk=district_id)
    towns = Region.objects.filter(parent=district, level=RegionLevel.TOWN).values_list("boundary", flat=True)
    union = GEOSGeometry(memoryview(shapely.unary_union([shapely.from_wkb(bytes(b.wkb)) for b in towns]).wkb))
    if union.geom_type == "Polygon":
        union = MultiPolygon(union)
    union.srid = 4326
    before = {"boundary": district.boundary, "centroid": district.centroid,
              "geometry_quality": district.geometry_quality}  # fmt: skip
    district.boundary = union
    district.centroid = boundary_centroid(union)
    district.geometry_quality = LocationQuality.SURVEYED
    district.save(update_fields=["boundary", "centroid", "geometry_quality", "updated_at"])
    audit_record(
        action="geo.region.boundary_replace",
        obj=district,
        region_path=district.path,
        before=before,
        after={"boundary": district.boundary, "centroid": district.centroid,
               "geometry_quality": district.geometry_quality, "file": report["file"],
               "derived_from": "towns"},
    )  # fmt: skip


def _common_path(paths: list[str]) -> str:
    """The deepest path every replaced region lies under (the district, usually): who may see the event."""
    parts = [p.strip("/").split("/") for p in paths if p]
    if not parts:
        return ""
    common = []
    for level in zip(*parts, strict=False):
        if Counter(level).most_common(1)[0][1] != len(parts):
            break
        common.append(level[0])
    return f"/{'/'.join(common)}/" if common else ""
