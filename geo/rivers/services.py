"""Writes of the river network: importing a version (``river_network_import``) and snapping sites to the
current one (``site_snaps_refresh``). The reading is ``geo.boundary_file.read_lines`` (the region
boundaries' GDAL reading: any SRS, GCJ-02 / BD-09 on request); every graph rule is the engine's."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.contrib.gis.geos import LineString
from django.db import transaction

from kernel.access import REGION_IDENTITY_EDITORS, Principal
from kernel.audit.services import audit_record
from kernel.errors import InvalidInput, PermissionDenied
from kernel.tables import norm, norm_key

from .. import boundary_file as bf
from .. import network as engine
from ..models import Outfall, PumpStation, RiverSection, SewageFacility
from ..services.map_layers import RIVERS, map_layers_bump
from .engine import (
    LoadedNetwork,
    current_network,
    load,
    overrides_of,
    project_lines,
    project_points,
    remember,
)
from .models import RiverLine, RiverNetwork, SiteKind, SiteSnap

# Attribute names tried, in order (norm_key: case, spaces and underscores ignored). HDBM / HLBM / HLMC:
# the 河湖名录 (河段编码, 河流编码, 河流名称) as the water bureau's GIS names them.
LINE_FIELDS = ("line_id", "line", "河段编号", "河段编码", "HDBM", "HDDM", "id", "编号")
RIVER_FIELDS = ("river_id", "river_code", "river", "河流编码", "河流编号", "HLBM", "HLDM")
RIVER_NAME_FIELDS = ("river_name", "name", "河流名称", "河名", "名称", "HLMC", "MC")
LEVEL_FIELDS = ("level", "river_level", "河流级别", "级别", "HLJB")
# Which way a line was digitised: a direction field (1 / forward / 顺向 = as drawn, -1 / backward / 逆向 =
# against the flow; ArcGIS' FLOWDIR, OSM's oneway=-1) or a yes/no "reversed" flag.
DIRECTION_FIELDS = ("direction", "flow_direction", "flowdir", "flow_dir", "流向", "方向")
REVERSED_FIELDS = ("reversed", "is_reversed", "reverse", "逆向", "是否逆向", "反向")
AS_DRAWN = frozenset(
    {"", "1", "+1", "forward", "with", "withdigitized", "顺", "顺向", "顺流", "正向", "同向"}
)
AGAINST = frozenset(
    {"-1", "backward", "against", "reverse", "reversed", "againstdigitized", "逆", "逆向", "逆流", "反向"}
)
YES = frozenset({"1", "true", "t", "yes", "y", "是"})
NO = frozenset({"", "0", "false", "f", "no", "n", "否"})

ISSUE_LIMIT = 2000  # issues kept on the version row and in an API answer (the command prints them all)


def _require_district(principal: Principal) -> None:
    paths = principal.region_paths(REGION_IDENTITY_EDITORS)
    if paths is None or (paths and any(p.count("/") == 2 for p in paths)):
        return
    raise PermissionDenied("河网由区级（区安委办、系统管理员）导入", code="river_network_reserved")


def _issue(number: int, line_id: str, code: str, message: str, severity: str = "error") -> dict[str, Any]:
    return {"feature": number, "line_id": line_id, "code": code, "severity": severity, "message": message,
            "other_line_id": None, "at": None}  # fmt: skip


def _against_the_flow(field: str, text: str) -> bool | None:
    """Whether a line's direction attribute says it was drawn against the flow; None when unreadable. The
    value is read like a field name (NFKC, case and spaces ignored) but keeps its sign: -1 is not 1."""
    value = re.sub(r"[\s_·]+", "", norm(text).casefold())
    if norm_key(field) in {norm_key(f) for f in REVERSED_FIELDS}:
        return True if value in YES else False if value in NO else None
    return True if value in AGAINST else False if value in AS_DRAWN else None


class _Parsed:
    """The file's features as engine lines, with the reading's own per-feature issues. A line whose
    direction attribute says it was drawn against the flow is turned round here, so everything downstream
    (the engine, the stored geometry) sees it in flow order; ``flip`` turns the lines the engine found
    reversed."""

    def __init__(self, data: bf.BoundaryFile, fields: dict[str, str | None]) -> None:
        self.lines: list[engine.RiverLine] = []
        self.wgs84: list[tuple[tuple[float, float], ...]] = []
        self.levels: dict[str, int | None] = {}
        self.number_of: dict[str, int] = {}
        self.issues: list[dict[str, Any]] = []
        self.flipped: list[str] = []
        for f in data.features:
            self._add(f, fields)

    def _add(self, f: bf.LineFeature, fields: dict[str, str | None]) -> None:
        def attr(name: str) -> str:
            field = fields[name]
            return f.attrs.get(field, "").strip() if field else ""

        line_id = attr("line") or f"#{f.number}"
        if f.error is not None:
            self.issues.append(_issue(f.number, line_id, *f.error))
            return
        level_text = attr("level")
        level: int | None = None
        if level_text:
            if not level_text.isdigit() or int(level_text) > 9:
                message = f"河流级别「{level_text}」应为 0–9 的整数（0 干流，1 一级支流…）"
                self.issues.append(_issue(f.number, line_id, "invalid_level", message))
                return
            level = int(level_text)
        direction = attr("direction")
        against = _against_the_flow(fields["direction"] or "", direction) if fields["direction"] else False
        if against is None:
            message = (
                f"流向「{direction}」无法识别：顺水流方向填 1、forward 或 顺向，"
                "逆水流方向填 -1、backward 或 逆向（是否逆向字段填 是 / 否）"
            )
            self.issues.append(_issue(f.number, line_id, "invalid_direction", message))
            return
        name = attr("name")
        river = attr("river") or name
        assert f.line is not None
        self.number_of.setdefault(line_id, f.number)
        coords = tuple((float(x), float(y)) for x, y in f.line.coords)
        if against:
            coords = coords[::-1]
            message = f"按流向字段「{fields['direction']}」为「{direction}」，已将河段顶点顺序倒转为水流方向"
            self._flipped(f.number, line_id, message)
        self.wgs84.append(coords)
        self.lines.append(engine.RiverLine(line_id, river, (), name))
        self.levels[line_id] = level

    def _flipped(self, number: int, line_id: str, message: str) -> None:
        self.flipped.append(line_id)
        self.issues.append(_issue(number, line_id, "line_flipped", message, "warning"))

    def flip(self, issues: Iterable[engine.LineIssue]) -> set[str]:
        """Turn round the lines of ``reversed_flow`` issues (the engine's: against their river's neighbours,
        the shorter side of each river flipped); the ids turned."""
        turned: set[str] = set()
        for issue in issues:
            if issue.code != engine.IssueCode.REVERSED_FLOW or issue.line_id in turned:
                continue
            k = next(k for k, ln in enumerate(self.lines) if ln.id == issue.line_id)
            self.wgs84[k] = self.wgs84[k][::-1]
            turned.add(issue.line_id)
            message = (
                f"与同一河流相邻河段 {issue.other_line_id} 流向相反（自动检测：同一河流中总长较短的一侧），"
                "已将河段顶点顺序倒转；请核对"
            )
            self._flipped(self.number_of[issue.line_id], issue.line_id, message)
        return turned

    def project(self) -> list[engine.RiverLine]:
        coords = project_lines(self.wgs84)
        return [
            engine.RiverLine(ln.id, ln.river_id, c, ln.river_name)
            for ln, c in zip(self.lines, coords, strict=True)
        ]


def _fields(data: bf.BoundaryFile, given: dict[str, str | None]) -> dict[str, str | None]:
    wanted = {"line": LINE_FIELDS, "river": RIVER_FIELDS, "name": RIVER_NAME_FIELDS, "level": LEVEL_FIELDS,
              "direction": DIRECTION_FIELDS + REVERSED_FIELDS}  # fmt: skip
    labels = {"line": "河段编号", "river": "河流编码", "name": "河流名称", "level": "河流级别",
              "direction": "流向"}  # fmt: skip
    out = {k: bf.guess_field(data.fields, given.get(k), wanted[k], labels[k]) for k in wanted}
    if out["river"] is None and out["name"] is None:
        raise bf.file_error(
            "unknown_field",
            f"找不到河流编码或河流名称字段（试过 {'、'.join(RIVER_FIELDS + RIVER_NAME_FIELDS)}）；"
            f"图层的字段：{'、'.join(data.fields) or '无'}",
            available=data.fields,
        )
    return out


def _engine_issues(parsed: _Parsed, network: engine.Network) -> list[dict[str, Any]]:
    rows = [issue.as_dict() for issue in network.issues]
    ats = project_points([tuple(r["at"]) for r in rows if r["at"]], inverse=True)
    it = iter(ats)
    for r in rows:
        r["feature"] = parsed.number_of.get(r["line_id"])
        r["at"] = [round(c, 7) for c in next(it)] if r["at"] else None
    return rows


@transaction.atomic
def river_network_import(
    *,
    principal: Principal,
    path: str | Path,
    source_name: str | None = None,
    layer: str | int | None = None,
    source_srid: int | None = None,
    datum: str = "wgs84",
    fields: dict[str, str | None] | None = None,
    dry_run: bool = True,
    is_synthetic: bool = False,
    note: str = "",
    flip_reversed: bool = False,
) -> dict[str, Any]:
    """Read a river file, build the network and report every feature's issues (the reading's codes and the
    engine's, in file order). Unless this is a dry run, a file whose features all made it in becomes the
    current network: its lines stored, every site snapped to it, in one transaction. A file with an error
    (a feature left out) writes nothing and raises ``InvalidInput`` (``river_file_has_errors``) with the
    issues in ``details``; warnings (crossings without a node, disconnected lines, reversed flow) do not
    stop it and stay on the version.

    Lines drawn against the flow are turned round before anything is built or stored: those whose
    direction field says so (``direction`` / 流向: -1, backward, 逆向; or a ``reversed`` / 是否逆向 yes-no
    field), and with ``flip_reversed`` those the engine finds reversed against their own river's
    neighbouring lines. Each is reported as a ``line_flipped`` warning saying why; ``flipped`` lists their
    ids."""
    _require_district(principal)
    data = bf.read_lines(path, layer=layer, source_srid=source_srid, datum=datum)
    used = _fields(data, fields or {})
    parsed = _Parsed(data, used)
    network = engine.build_network(parsed.project(), tolerance_m=engine.DEFAULT_TOLERANCE_M)
    if flip_reversed and parsed.flip(network.issues):
        network = engine.build_network(parsed.project(), tolerance_m=engine.DEFAULT_TOLERANCE_M)
    issues = sorted(parsed.issues + _engine_issues(parsed, network), key=lambda i: i["feature"] or 0)
    errors = [i for i in issues if i["severity"] == "error"]
    report = _report(data, used, network, issues, dry_run=dry_run, source_name=source_name)
    report["flipped"] = list(parsed.flipped)
    if not errors and not network.edges:
        raise bf.file_error("empty_network", "文件中没有可用的河段")
    if dry_run:
        return report
    if errors:
        message = f"河网文件有 {len(errors)} 处错误（{len(errors)} 个要素无法使用），未导入；请修正后重新导入"
        raise InvalidInput(
            message,
            code="river_file_has_errors",
            details={
                "fields": {"file": [message]},
                "issues": issues[:ISSUE_LIMIT],
                "error_count": len(errors),
            },
        )
    row = _write(
        parsed, network, report, principal=principal, datum=datum, is_synthetic=is_synthetic, note=note
    )
    report |= {"network_id": row.pk, "applied": True, "snapped": site_snaps_refresh()}
    return report


def _report(
    data: bf.BoundaryFile,
    used: dict[str, str | None],
    network: engine.Network,
    issues: list[dict[str, Any]],
    *,
    dry_run: bool,
    source_name: str | None,
) -> dict[str, Any]:
    errors = sum(1 for i in issues if i["severity"] == "error")
    return {
        "ok": errors == 0,
        "dry_run": dry_run,
        "applied": False,
        "network_id": None,
        "file": source_name or Path(data.path).name,
        "layer": data.layer_name,
        "layers": data.layer_names,
        "srs": {"name": data.srs_name, "srid": data.srs_srid},
        "datum": data.datum,
        "metric_srid": 4549,
        "fields": used,
        "features_read": len(data.features),
        "lines": len(network.lines),
        "rivers": len(network.rivers()),
        "nodes": len(network.nodes),
        "error_count": errors,
        "warning_count": len(issues) - errors,
        "issues": issues[:ISSUE_LIMIT],
        "snapped": None,
    }


def _write(
    parsed: _Parsed,
    network: engine.Network,
    report: dict[str, Any],
    *,
    principal: Principal,
    datum: str,
    is_synthetic: bool,
    note: str,
) -> RiverNetwork:
    previous = list(
        RiverNetwork.objects.select_for_update().filter(is_current=True).values_list("pk", flat=True)
    )
    RiverNetwork.objects.filter(pk__in=previous).update(is_current=False)
    row = RiverNetwork.objects.create(
        source_name=report["file"][:255],
        layer_name=report["layer"][:255],
        datum=datum,
        source_srs=(report["srs"]["name"] or "")[:255],
        is_synthetic=is_synthetic,
        is_current=True,
        line_count=report["lines"],
        river_count=report["rivers"],
        warning_count=report["warning_count"],
        issues=report["issues"],
        imported_by_id=principal.user_id,
        note=note,
    )
    overrides = overrides_of((ln.river_id, parsed.levels.get(ln.id)) for ln in parsed.lines)
    loaded = load(row.pk, str(row.key), (), overrides, built=network)
    RiverLine.objects.bulk_create(
        [
            RiverLine(
                network=row,
                order=k,
                line_id=ln.id,
                river_id=ln.river_id,
                river_name=ln.river_name,
                level_override=parsed.levels.get(ln.id),
                level=loaded.levels[ln.river_id].level,
                geometry=LineString(wgs, srid=4326),
            )
            for k, (ln, wgs) in enumerate(zip(parsed.lines, parsed.wgs84, strict=True))
        ],
        batch_size=2000,
    )
    remember(loaded)
    map_layers_bump(RIVERS)
    audit_record(
        action="geo.river_network.import",
        obj=row,
        after={"file": row.source_name, "lines": row.line_count, "rivers": row.river_count,
               "warnings": row.warning_count, "synthetic": is_synthetic, "replaced": previous},
    )  # fmt: skip
    return row


# --- snapping -----------------------------------------------------------------------------------------


def _sites(
    kind: str, ids: Iterable[int] | None, loaded: LoadedNetwork
) -> list[tuple[int, tuple[float, float] | None, str | None]]:
    if kind == SiteKind.RIVER_SECTION:
        qs = RiverSection.objects.all()
        rows = qs.filter(pk__in=list(ids)) if ids is not None else qs
        return [
            (pk, (p.x, p.y) if p else None, loaded.river_of(river))
            for pk, p, river in rows.values_list("pk", "location", "river")
        ]
    if kind == SiteKind.OUTFALL:  # snapped to its receiving river when it names one on the network
        outfalls = Outfall.objects.all()
        found = outfalls.filter(pk__in=list(ids)) if ids is not None else outfalls
        return [
            (pk, (p.x, p.y) if p else None, loaded.river_of(river))
            for pk, p, river in found.values_list("pk", "location", "receiving_river_id")
        ]
    if kind == SiteKind.PUMP_STATION:  # on the river it names, when the network knows it
        stations = PumpStation.objects.all()
        rows = stations.filter(pk__in=list(ids)) if ids is not None else stations
        return [
            (pk, (p.x, p.y) if p else None, loaded.river_of(river))
            for pk, p, river in rows.values_list("pk", "location", "river")
        ]
    qs = SewageFacility.objects.all()
    rows = qs.filter(pk__in=list(ids)) if ids is not None else qs
    return [(pk, (p.x, p.y) if p else None, None) for pk, p in rows.values_list("pk", "location")]


def _snap_row(loaded: LoadedNetwork, kind: str, result: engine.Snap | engine.Unsnapped | int) -> SiteSnap:
    row = SiteSnap(network_id=loaded.network_id, site_kind=kind)
    if isinstance(result, int):
        row.site_id, row.unsnapped_code, row.unsnapped_message = result, "no_location", "点位没有坐标"
    elif isinstance(result, engine.Snap):
        row.site_id, row.line_id, row.river_id = int(result.site_id), result.line_id, result.river_id
        row.offset_m, row.distance_m = result.offset_m, result.distance_m
    else:
        row.site_id, row.unsnapped_code = int(result.site_id), result.code
        row.unsnapped_message, row.distance_m = result.message[:255], result.nearest_m
    return row


@transaction.atomic
def site_snaps_refresh(
    *, kinds: Iterable[str] = tuple(SiteKind.values), ids: Iterable[int] | None = None
) -> dict[str, int] | None:
    """Snap sites of ``kinds`` (all of them, or those ``ids``) to the current network, replacing what was
    kept for them; a site without a point or too far from every line is kept unsnapped with the engine's
    code. Called by the importer (every site) and by the services that create or move a section or a
    facility. Returns how many were snapped per kind (None when no network was imported yet)."""
    loaded = current_network()
    if loaded is None:
        return None
    ids = None if ids is None else list(ids)
    counts: dict[str, int] = {}
    for kind in kinds:
        sites = _sites(kind, ids, loaded)
        located = [(pk, xy, river) for pk, xy, river in sites if xy is not None]
        metric = project_points([xy for _, xy, _ in located])
        engine_sites = [
            engine.Site(str(pk), x, y, river) for (pk, _, river), (x, y) in zip(located, metric, strict=True)
        ]
        result = engine.snap_sites(loaded.network, engine_sites, max_distance_m=engine.DEFAULT_MAX_SNAP_M)
        rows = [_snap_row(loaded, kind, s) for s in (*result.snapped, *result.unsnapped)]
        rows += [_snap_row(loaded, kind, pk) for pk, xy, _ in sites if xy is None]
        stale = SiteSnap.objects.filter(network_id=loaded.network_id, site_kind=kind)
        (stale if ids is None else stale.filter(site_id__in=ids)).delete()
        SiteSnap.objects.bulk_create(rows, batch_size=2000)
        counts[kind] = len(result.snapped)
    return counts
