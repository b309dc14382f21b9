"""Haimen demo data for the registry: the district, its 区镇, villages, the seven sections, facilities.

What is real and what is not, so nobody mistakes a demo for a survey:
- Town names and division codes come from ``shared/domain/sewage-and-regions.md`` (NBS 2022 preferred;
  where NBS has no code the other public dataset's code is used and marked ``code_source=other``).
- The villages 稻香村, 城河村 and 浩西村 are named in 海政办发〔2022〕65号; their codes are unknown (empty).
- Every other village, natural village, household count and facility is synthetic (``is_synthetic``),
  generated from a fixed seed so the demo is the same on every machine.
- No boundary or coordinate is available offline: town centres are approximate, boundaries are a
  Voronoi partition of those centres clipped to a rough district outline (``geometry_quality=synthetic``);
  villages and natural villages get the same kind of synthetic cells inside their town / village, so that
  the point lookup (``GET /api/v1/geo/regions/at``) names a village in the demo, flagged as synthetic;
  section locations are approximate placements near their responsible towns.
Loading is idempotent: rows are matched on natural keys (parent + name, codes) and never duplicated.
"""

from __future__ import annotations

import io
import random
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from shapely import MultiPoint, Point, Polygon, from_wkt, union_all, voronoi_polygons
from shapely.geometry.base import BaseGeometry

from kernel.access import Principal

from .coords import Datum, LonLat, from_wgs84
from .models import (
    CodeSource,
    FacilityService,
    LocationQuality,
    Region,
    RegionLevel,
    RiverSection,
    SewageFacility,
)
from .services import LocationInput, facility_create, region_create, section_upsert

# Demo rows are written by "the system" (no request, so the audit log shows no person).
SYSTEM = Principal(user_id=0, username="system", is_superuser=True)

DISTRICT = {"name": "海门区", "code": "320614000000"}
DISTRICT_CENTRE = (121.17, 31.90)


@dataclass(frozen=True)
class TownSeed:
    name: str
    kind: str
    nbs9: str | None
    other12: str | None
    centre: tuple[float, float]  # approximate, WGS-84


TOWNS = [
    TownSeed("海门街道", "street", None, "320614001000", (121.175, 31.895)),
    TownSeed("滨江街道", "street", None, "320614002000", (121.120, 31.875)),
    TownSeed("三厂工业园区", "park", "320614418", "320614003000", (121.245, 31.870)),
    TownSeed("三星镇", "town", "320614416", "320614101000", (121.060, 31.935)),
    TownSeed("海永镇", "town", "320614102", "320614102000", (121.080, 31.800)),
    TownSeed("常乐镇", "town", "320614103", "320614106000", (121.265, 31.925)),
    TownSeed("悦来镇", "town", "320614104", "320614108000", (121.395, 31.935)),
    TownSeed("四甲镇", "town", "320614105", "320614111000", (121.330, 31.985)),
    TownSeed("余东镇", "town", "320614106", "320614113000", (121.255, 32.010)),
    TownSeed("正余镇", "town", "320614107", "320614114000", (121.165, 31.995)),
    TownSeed("包场镇", "town", None, "320614115000", (121.455, 32.005)),
    TownSeed("临江新区", "park", "320614414", "320614118000", (121.005, 31.865)),
    TownSeed("海门港新区", "park", "320614415", None, (121.520, 31.965)),
    TownSeed("海门经济技术开发区", "park", "320614400", None, (121.200, 31.860)),
]

# Villages named in 海政办发〔2022〕65号 (高标准农田排灌系统生态化建设试点).
NAMED_VILLAGES = {"临江新区": ["稻香村"], "包场镇": ["城河村", "浩西村"]}

# (code, name, level, responsible towns) from 65号 section 二. Section codes are local identifiers:
# the official codes were not available.
SECTIONS = [
    ("HM-SK-01", "货隆大桥", "provincial", ["四甲镇"]),
    ("HM-SK-02", "海洪大桥", "provincial", ["海门港新区", "悦来镇"]),
    ("HM-SHK-01", "青龙河桥", "municipal", ["三厂工业园区", "常乐镇", "四甲镇"]),
    ("HM-SHK-02", "高北大桥", "municipal", ["海门街道"]),
    ("HM-SHK-03", "南京路桥", "municipal", ["海门街道"]),
    ("HM-SHK-04", "临海公路桥", "municipal", ["海门港新区"]),
    ("HM-SHK-05", "汤正公路桥", "municipal", ["临江新区", "常乐镇"]),
]

PROCESSES = [
    "A/O 一体化设备",
    "A²/O 一体化设备",
    "生物接触氧化+人工湿地",
    "厌氧+人工湿地",
    "MBR 膜生物反应器",
    "人工湿地",
]
OPERATORS = ["演示运维公司甲", "演示运维公司乙", "演示运维公司丙"]
CAPACITIES = [Decimal(c) for c in ("3", "5", "8", "10", "15", "20", "30", "50")]
SYNTHETIC_VILLAGES_PER_TOWN = 2
_CN_NUM = "一二三四五六七八九十"


def _district_outline() -> Polygon:
    pts = MultiPoint([t.centre for t in TOWNS])
    return pts.convex_hull.buffer(0.04)


def _town_cells() -> dict[str, Polygon]:
    outline = _district_outline()
    cells = voronoi_polygons(MultiPoint([t.centre for t in TOWNS]), extend_to=outline)
    result: dict[str, Polygon] = {}
    for town in TOWNS:
        p = Point(town.centre)
        cell = next(c for c in cells.geoms if c.contains(p))
        result[town.name] = cell.intersection(outline)
    return result


def _multipolygon(poly: BaseGeometry) -> MultiPolygon:
    geom = GEOSGeometry(poly.wkt, srid=4326)
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom, srid=4326)


def _region(parent: Region | None, name: str, **fields: object) -> Region:
    existing = Region.objects.filter(parent=parent, name=name).first()
    return existing or region_create(parent=parent, name=name, **fields)  # type: ignore[arg-type]


def _approx(lon: float, lat: float) -> LocationInput:
    return LocationInput(lon=lon, lat=lat, datum=Datum.WGS84, quality=LocationQuality.APPROXIMATE)


def load_regions() -> dict[str, Region]:
    """District, towns (with synthetic boundaries), named and synthetic villages, natural villages."""
    rng = random.Random(20221230)  # the date 81号 was issued: same demo everywhere
    district = _region(
        None,
        DISTRICT["name"],
        level=RegionLevel.DISTRICT,
        code=DISTRICT["code"],
        code_source=CodeSource.NBS,
        alt_codes=["320684000000"],  # 海门市 before 2020
        centroid=_approx(*DISTRICT_CENTRE),
    )
    if district.boundary is None:
        district.boundary = _multipolygon(_district_outline())
        district.save(update_fields=["boundary"])
    cells = _town_cells()
    towns: dict[str, Region] = {}
    for seed in TOWNS:
        code = f"{seed.nbs9}000" if seed.nbs9 else seed.other12
        alt = [seed.other12] if seed.nbs9 and seed.other12 else []
        town = _region(
            district,
            seed.name,
            level=RegionLevel.TOWN,
            town_kind=seed.kind,
            code=code,
            code_source=CodeSource.NBS if seed.nbs9 else CodeSource.OTHER_DATASET,
            alt_codes=alt,
            centroid=_approx(*seed.centre),
        )
        if town.boundary is None:
            town.boundary = _multipolygon(cells[seed.name])
            town.save(update_fields=["boundary"])
        towns[seed.name] = town
        cell = cells[seed.name]
        names = [(n, False) for n in NAMED_VILLAGES.get(seed.name, [])]
        names += [(f"演示{_CN_NUM[i]}村", True) for i in range(SYNTHETIC_VILLAGES_PER_TOWN)]
        town9 = code[:9]
        for i, (vname, synthetic) in enumerate(names):
            village_centre = _random_point_in(cell.buffer(-0.005), rng)
            village = _region(
                town,
                vname,
                level=RegionLevel.VILLAGE,
                code=f"{town9}9{i + 1:02d}" if synthetic else None,
                code_source=CodeSource.SYNTHETIC if synthetic else "",
                is_synthetic=synthetic,
                centroid=LocationInput(*village_centre, quality=LocationQuality.SYNTHETIC),
            )
            for g in range(rng.randint(3, 5)):
                _region(
                    village,
                    f"{_CN_NUM[g]}组",
                    level=RegionLevel.NATURAL_VILLAGE,
                    households=rng.randint(18, 85),
                    is_synthetic=True,
                    centroid=LocationInput(
                        village_centre[0] + rng.uniform(-0.004, 0.004),
                        village_centre[1] + rng.uniform(-0.004, 0.004),
                        quality=LocationQuality.SYNTHETIC,
                    ),
                )
        _draw_cells(town, from_wkt(town.boundary.wkt) if town.boundary is not None else cell)
    return towns


def _draw_cells(parent: Region, area: BaseGeometry) -> None:
    """Synthetic boundaries for ``parent``'s children: the Voronoi cells of their centroids clipped to
    ``area`` (a village's cell then split among its natural villages). Only where none is drawn, so a
    real boundary imported later stays; ``geometry_quality`` stays ``synthetic``."""
    children = [c for c in Region.objects.filter(parent=parent).order_by("path") if c.centroid is not None]
    if not children:
        return
    centres = [(c.centroid.x, c.centroid.y) for c in children]
    cells = voronoi_polygons(MultiPoint(centres), extend_to=area) if len(children) > 1 else None
    for child, centre in zip(children, centres, strict=True):
        cell = area if cells is None else next((g for g in cells.geoms if g.covers(Point(centre))), None)
        piece = _polygonal(cell.intersection(area)) if cell is not None else None
        if piece is None or child.boundary is not None:
            continue
        child.boundary = _multipolygon(piece)
        child.geometry_quality = LocationQuality.SYNTHETIC
        child.save(update_fields=["boundary", "geometry_quality", "updated_at"])
        if child.level == RegionLevel.VILLAGE:
            _draw_cells(child, piece)


def _polygonal(geom: BaseGeometry) -> BaseGeometry | None:
    """The polygon parts of a clipped cell (a clip may leave slivers of lines or points), or None."""
    if geom.geom_type == "GeometryCollection":
        parts = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]  # type: ignore[attr-defined]
        geom = union_all(parts) if parts else geom
    if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty or geom.area <= 0:
        return None
    return geom


def _random_point_in(poly: Polygon, rng: random.Random) -> tuple[float, float]:
    minx, miny, maxx, maxy = poly.bounds
    while True:
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if poly.contains(Point(lon, lat)):
            return round(lon, 6), round(lat, 6)


def load_sections(towns: dict[str, Region]) -> int:
    district = Region.objects.get(level=RegionLevel.DISTRICT, name=DISTRICT["name"])
    for code, name, level, town_names in SECTIONS:
        responsible = [towns[t] for t in town_names]
        # Place the section between its responsible towns' centres: approximate and labelled as such.
        lon = sum(t.centroid.x for t in responsible) / len(responsible)
        lat = sum(t.centroid.y for t in responsible) / len(responsible)
        section_upsert(
            code=code,
            name=name,
            level=level,
            region=district,
            responsible_towns=responsible,
            target_class=3,
            location=_approx(round(lon + 0.003, 6), round(lat - 0.002, 6)),
            note="位置为近似示意：资料未给出断面坐标与所在河流。责任区镇依据海政办发〔2022〕65号。",
        )
    return len(SECTIONS)


def load_facilities(towns: dict[str, Region]) -> int:
    """Synthetic facilities, one or two per village, with the data gaps a real ledger has.

    Every spec is drawn whatever exists already, so a re-run draws the same sequence and only adds
    what is missing.
    """
    rng = random.Random(65)
    created = 0
    for t_idx, seed in enumerate(TOWNS, start=1):
        town = towns[seed.name]
        for v_idx, village in enumerate(Region.objects.filter(parent=town).order_by("path"), start=1):
            for f_idx in range(1 + (rng.random() < 0.4)):
                spec = _facility_spec(rng, village, f_idx)
                code = f"HM-WS-{t_idx:02d}{v_idx:02d}{f_idx + 1}"
                if not SewageFacility.objects.filter(code=code).exists():
                    facility_create(
                        principal=SYSTEM, code=code, village_id=village.pk, is_synthetic=True, **spec
                    )
                    created += 1
    return created


def _facility_spec(rng: random.Random, village: Region, f_idx: int) -> dict[str, object]:
    roll = rng.random()
    lon = village.centroid.x + rng.uniform(-0.003, 0.003)
    lat = village.centroid.y + rng.uniform(-0.003, 0.003)
    location: LocationInput | None
    if roll < 0.1:
        location = None  # a ledger gap: no coordinates
    elif roll < 0.45:
        # Recorded on a 高德 map: stored in WGS-84, the raw GCJ-02 values kept beside it.
        gcj = from_wgs84(LonLat(lon, lat), Datum.GCJ02)
        location = LocationInput(round(gcj.lon, 6), round(gcj.lat, 6), Datum.GCJ02, LocationQuality.SYNTHETIC)
    else:
        location = LocationInput(round(lon, 6), round(lat, 6), Datum.WGS84, LocationQuality.SYNTHETIC)
    return {
        "name": f"{village.name}{'' if f_idx == 0 else _CN_NUM[f_idx]}污水处理站（演示）",
        "capacity_tpd": rng.choice(CAPACITIES),
        "process": rng.choice(PROCESSES),
        "meter_number": "" if rng.random() < 0.15 else f"3206{rng.randint(10**7, 10**8 - 1)}",
        "operator": rng.choice(OPERATORS),
        "status": rng.choices(["in_service", "stopped", "beyond_repair"], weights=[85, 12, 3])[0],
        "commissioned_on": date(2019, 1, 1) + timedelta(days=rng.randint(0, 1095)),
        "location": location,
    }


def load_services() -> int:
    """Which households each synthetic facility serves: the first facility of a village serves most
    households of some of its natural villages, so that some villages reach the 双60 line and some do
    not, as in a real district. Facilities that already have links are left alone."""
    rng = random.Random(60)
    created = 0
    for facility in SewageFacility.objects.filter(code__startswith="HM-WS-", is_synthetic=True).order_by(
        "code"
    ):
        naturals = list(Region.objects.filter(parent_id=facility.village_id).order_by("path"))
        share = rng.choice([0.4, 0.6, 0.8, 1.0])
        served = (
            naturals[: max(1, round(len(naturals) * share))] if facility.code.endswith("1") else naturals[-1:]
        )
        if (
            FacilityService.objects.filter(facility=facility).exists()
            or facility.status == "under_construction"
        ):
            continue
        FacilityService.objects.bulk_create(
            FacilityService(
                facility=facility,
                natural_village=n,
                households=round((n.households or 0) * rng.uniform(0.5, 1.0)),
            )
            for n in served
        )
        created += len(served)
    return created


LEDGER_DEMO_TOWN = "常乐镇"


def load_ledger_import(*, principal: Principal) -> int:
    """A ledger import to look at (the console's 导入 page): 常乐镇's ledger as the town sends it back —
    the registry's own export with two rows typed in by hand, a new station and one naming a village
    the town does not have — checked by the district office with a dry run, which writes nothing and
    flags that row (``unknown_village``). Through the real service; once (skipped when any exists)."""
    import openpyxl

    from .ledger_export import facility_ledger_export
    from .ledger_import import facility_ledger_upload
    from .models import LedgerImport

    if LedgerImport.objects.exists():
        return 0
    town = Region.objects.get(level=RegionLevel.TOWN, name=LEDGER_DEMO_TOWN)
    village = Region.objects.filter(parent=town).order_by("path").first()
    exported = facility_ledger_export(principal=principal, town_id=town.pk)
    if village is None or not isinstance(exported, tuple):
        return 0
    title, data = exported
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.active
    assert ws is not None
    for village_name, code, name in (
        (village.name, "HM-WS-NEW01", f"{village.name}新建站"),
        ("长江村", "HM-WS-NEW02", "长江村一号站"),  # no such village in 常乐镇
    ):
        ws.append([town.name, village_name, "", code, name, 20, "A/O", None, None, None, "WGS-84",
                   "", "", None, "在运行", None])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    facility_ledger_upload(
        principal=principal, data=buf.getvalue(), filename=f"{title}（区镇报回）.xlsx",
        dry_run=True, valid_rows_only=False,
    )  # fmt: skip
    return 1


# --- a synthetic river network through the seven sections (issue 18) -----------------------------------

DEMO_RIVERS_NOTE = (
    "演示用合成河网：为展示沿河溯源而画出的示意河道，不是实测河道。每个重点断面在一条自北向南的示意河上，"
    "向南汇入一条自西向东的示意干流；示意支沟从部分污水设施通向断面上游的河道。请用实测河网（import_rivers）替换。"
)
_UP_DEG, _DOWN_DEG = 0.08, 0.02  # each section's river: ~8.9 km drawn above it, ~2.2 km below
_DITCHES_PER_RIVER = 4
_DITCH_WITHIN_KM = 9.0  # a ditch's facility lies at most this far above its section along the water


def demo_river_features(prefer: Collection[int] = ()) -> list[dict[str, object]]:
    """GeoJSON features (WGS-84, vertices in flow order — but one ditch, drawn from its mouth with 流向
    逆向, which the import turns round and reports as ``line_flipped``) of the demo network: a river per
    section location flowing south into an east-flowing 干流, and ditches from up to four facilities per
    river (those in ``prefer`` first — the demo's facilities with open rectifications) joining it above the
    section. Junctions are vertices of the river they join (a parallel or meridian drawn straight in lon/lat
    is curved in the metric projection); a ditch that would cross another line is left out."""
    from shapely import LineString

    wanted = set(prefer)
    spots: dict[tuple[float, float], list[RiverSection]] = {}
    for s in RiverSection.objects.filter(code__in=[c for c, *_ in SECTIONS], location__isnull=False).order_by(
        "code"
    ):
        spots.setdefault((round(s.location.x, 6), round(s.location.y, 6)), []).append(s)
    if not spots:
        return []
    stem_y = round(min(y for _, y in spots) - _DOWN_DEG - 0.01, 6)
    xs = sorted({x for x, _ in spots})
    mains = {(x, y): [(x, round(y + _UP_DEG, 6)), (x, y), (x, stem_y)] for x, y in spots}
    main_lines = {k: LineString(c) for k, c in mains.items()}
    drawn = list(main_lines.values())
    facilities = sorted(
        SewageFacility.objects.filter(location__isnull=False, is_synthetic=True).select_related(
            "village__parent"
        ),
        key=lambda f: (f.pk not in wanted, f.code),
    )
    used: set[int] = set()
    ditches: dict[tuple[float, float], list[tuple[SewageFacility, tuple[float, float]]]] = {
        k: [] for k in mains
    }
    for (x, y), line in main_lines.items():
        for f in facilities:
            if len(ditches[(x, y)]) == _DITCHES_PER_RIVER:
                break
            fx, fy = round(f.location.x, 6), round(f.location.y, 6)
            # within ~9 km along the water: across the ditch, then down the river (km per degree at 32°N)
            along_km = abs(fx - x) * 94.4 + (fy - y) * 110.9
            if f.pk in used or not (y + 0.005 < fy < y + _UP_DEG - 0.002 and abs(fx - x) > 0.002):
                continue
            if along_km > _DITCH_WITHIN_KM:
                continue
            ditch = LineString([(fx, fy), (x, fy)])
            if any(ditch.crosses(other) or ditch.touches(other) for other in drawn if other is not line):
                continue
            used.add(f.pk)
            drawn.append(ditch)
            ditches[(x, y)].append((f, (x, fy)))
    features = []
    names = {k: "、".join(s.name for s in v) for k, v in spots.items()}
    for i, ((x, y), coords) in enumerate(sorted(mains.items()), start=1):
        joins = sorted({j for _, j in ditches[(x, y)]}, key=lambda p: -p[1])
        vertices = [coords[0], *joins, coords[1], coords[2]]
        features.append(
            _river_feature(f"DEMO-R{i:02d}", f"DEMO-R{i:02d}", f"{names[(x, y)]}所在河（演示）", vertices)
        )
        for k, (f, join) in enumerate(ditches[(x, y)], start=1):
            start = (round(f.location.x, 6), round(f.location.y, 6))
            name = f"{f.village.parent.name if f.village.parent else ''}{f.village.name}沟（演示）"
            ditch = _river_feature(f"DEMO-R{i:02d}-T{k}", f"DEMO-T{i:02d}{k}", name, [start, join])
            if (
                i == 1 and k == 1
            ):  # traced from its mouth outwards, as a town would: the import turns it round
                ditch = _river_feature(
                    f"DEMO-R{i:02d}-T{k}", f"DEMO-T{i:02d}{k}", name, [join, start], direction="逆向"
                )
            features.append(ditch)
    stem = [(round(xs[0] - 0.03, 6), stem_y), *[(x, stem_y) for x in xs], (round(xs[-1] + 0.03, 6), stem_y)]
    features.append(_river_feature("DEMO-MAIN", "DEMO-MAIN", "示意干流（演示）", stem))
    return features


def _river_feature(
    line_id: str, river_id: str, name: str, coords: list[tuple[float, float]], direction: str = ""
) -> dict[str, object]:
    return {
        "type": "Feature",
        "properties": {"line_id": line_id, "river_id": river_id, "river_name": name, "流向": direction},
        "geometry": {"type": "LineString", "coordinates": [list(c) for c in coords]},
    }


def load_rivers(*, principal: Principal, prefer: Collection[int] = ()) -> int | None:
    """Import the synthetic network (flagged synthetic) unless a network is already current (a re-run, or a
    real one imported over the demo). Returns the new version's id."""
    import json
    import tempfile
    from pathlib import Path

    from .models import RiverNetwork
    from .rivers.services import river_network_import

    if RiverNetwork.objects.filter(is_current=True).exists():
        return None
    features = demo_river_features(prefer)
    if not features:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "haimen-demo-rivers.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
        report = river_network_import(
            principal=principal, path=path, dry_run=False, is_synthetic=True, note=DEMO_RIVERS_NOTE
        )
    return report["network_id"]


# --- synthetic outfalls upstream of the key sections (issue 18, 65号 item 19) ----------------------------

# The six sections item 19 names; 海洪大桥 is not among them.
OUTFALL_SECTIONS = ("高北大桥", "南京路桥", "临海公路桥", "货隆大桥", "青龙河桥", "汤正公路桥")
# (km above the section along its river, type, discharger, decision, state): every type, every decision
# and the states through to 达标排放, so the registry, the upstream answer and the map show them all.
_OUTFALLS = (
    (1.5, "industrial", "演示化工有限公司", "regulate", "compliant"),
    (3.5, "sewage_plant", "演示污水处理厂", "regulate", "rectifying"),
    (5.5, "agricultural", "演示养殖场", "ban", "rectifying"),
    (7.5, "other", "", "", "found"),
    (8.5, "other", "", "merge", "merged"),
)
_OUTFALL_NAMES = {"industrial": "工业排污口", "sewage_plant": "污水厂排口", "agricultural": "养殖尾水排口",
                  "other": "雨污混接排口"}  # fmt: skip


def load_outfalls(*, principal: Principal) -> int:
    """Synthetic outfalls (flagged) beside each key section's demo river, 1.5–8.5 km above the section,
    each in the town its point lies in, snapped to the current network on creation. Kept on a re-run."""
    from .outfalls.models import Outfall
    from .outfalls.services import outfall_create
    from .rivers.engine import current_network
    from .rivers.models import SiteKind, SiteSnap

    loaded = current_network()
    if loaded is None:
        return 0
    created = 0
    seen: set[tuple[float, float]] = set()
    for n, section in enumerate(
        RiverSection.objects.filter(name__in=OUTFALL_SECTIONS, location__isnull=False).order_by("code"), 1
    ):
        spot = (round(section.location.x, 6), round(section.location.y, 6))
        snap = SiteSnap.objects.filter(
            network_id=loaded.network_id, site_kind=SiteKind.RIVER_SECTION, site_id=section.pk
        ).first()
        if spot in seen or snap is None or not snap.river_id:
            continue
        seen.add(spot)
        for k, (km, kind, discharger, decision, state) in enumerate(_OUTFALLS, start=1):
            code = f"HM-PWK-{n:02d}{k}"
            if Outfall.objects.filter(code=code).exists():
                continue
            lon, lat = round(spot[0] + 0.0004, 6), round(spot[1] + km / 110.9, 6)  # ~38 m east of the river
            at = GEOSGeometry(f"SRID=4326;POINT({lon} {lat})")
            towns = Region.objects.filter(level=RegionLevel.TOWN, boundary__contains=at)
            town = towns.defer("boundary").first()
            if town is None:
                continue
            outfall_create(
                principal=principal, code=code, name=f"{town.name}{_OUTFALL_NAMES[kind]}{k}（演示）",
                kind=kind, town_id=town.pk,
                location=LocationInput(lon, lat, quality=LocationQuality.SYNTHETIC),
                receiving_river_id=snap.river_id, discharger=discharger, has_permit=kind != "other",
                is_monitored=kind in ("industrial", "sewage_plant"), decision=decision, state=state,
                note="演示用合成排污口：位置与属性均为示意。", is_synthetic=True,
            )  # fmt: skip
            created += 1
    return created
