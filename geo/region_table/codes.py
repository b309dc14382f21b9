"""Division codes (统计用区划代码): normalising, the level and parent a code's structure says; town kinds
from names; boundaries (WKT / GeoJSON) as WKT."""

from __future__ import annotations

import json

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

from kernel.tables import norm

from .layout import _LAT_RANGE, _LON_RANGE, DISTRICT, TOWN, VILLAGE

# ------------------------------------------------------------------------------------------------ codes


def normalise_code(text: str) -> str | None:
    """A division code as 12 digits (9-digit town codes + "000", 6-digit county codes + "000000"); None
    when ``text`` is not 6, 9 or 12 digits."""
    digits = norm(text)
    if not digits.isdigit():
        return None
    return {6: digits + "000000", 9: digits + "000", 12: digits}.get(len(digits))


def level_of_code(code: str) -> str | None:
    """The level a 12-digit code's structure gives (2 province, 2 city, 2 county, 3 town, 3 village
    digits): district, town or village; None for a province or city code."""
    if code[4:] == "0" * 8:
        return None
    if code[6:] == "0" * 6:
        return DISTRICT
    return TOWN if code[9:] == "000" else VILLAGE


def parent_code_of(code: str, level: str) -> str | None:
    """The parent's code as the structure gives it: a town's county, a village's town."""
    if level == TOWN:
        return code[:6] + "0" * 6
    if level == VILLAGE:
        return code[:9] + "000"
    return None


def town_kind_of(name: str) -> str:
    """The kind of a 区镇 from its name's ending; "" when the name says nothing."""
    if name.endswith("街道"):
        return "street"
    if name.endswith(("园区", "新区", "开发区")):
        return "park"
    return "town" if name.endswith(("镇", "乡")) else ""


def boundary_wkt(text: str) -> str:
    """WKT or GeoJSON (geometry or Feature) → the WKT of a valid MultiPolygon in WGS-84 lon/lat.
    Raises ValueError with a zh-Hans reason."""
    text = text.strip()
    try:
        if text.startswith("{"):
            obj = json.loads(text)
            geom = shape(obj.get("geometry") if obj.get("type") == "Feature" else obj)
        else:
            geom = shapely.from_wkt(text)
    except Exception as exc:  # shapely and json raise many kinds
        raise ValueError("无法识别的边界：应为 WKT（POLYGON / MULTIPOLYGON）或 GeoJSON") from exc
    if isinstance(geom, Polygon):
        geom = MultiPolygon([geom])
    if not isinstance(geom, MultiPolygon) or geom.is_empty:
        raise ValueError("边界应为面（Polygon 或 MultiPolygon）")
    minx, miny, maxx, maxy = geom.bounds
    if not (
        _LON_RANGE[0] <= minx <= maxx <= _LON_RANGE[1] and _LAT_RANGE[0] <= miny <= maxy <= _LAT_RANGE[1]
    ):
        raise ValueError("边界坐标应为 WGS-84 经纬度（经度在前），且位于中国范围内")
    if not geom.is_valid:
        raise ValueError(f"边界几何无效（{shapely.is_valid_reason(geom)}）")
    return geom.wkt
