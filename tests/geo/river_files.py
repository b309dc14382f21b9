"""A small river network around 甲桥 (the ``world`` fixture's section A) as a GeoJSON file, for the
importer and the upstream tests.

主河 M flows east along latitude 31.90: m1 from 121.10 to 121.20, m2 on to 121.25. 支河 T flows south
along 121.15 from 31.95 and joins m1 in its interior (the engine splits m1 there). 甲桥 stands just north of
m1/m2's node at 121.20; facility A sits beside T, facility B downstream of 甲桥 on m2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# m1 has a vertex where T joins: a parallel is curved in Gauss–Krüger, so a point on the lon/lat chord lies
# metres off the projected chord over 10 km, more than the 1 m node tolerance.
MAIN = [
    ("m1", [(121.10, 31.90), (121.15, 31.90), (121.20, 31.90)]),
    ("m2", [(121.20, 31.90), (121.25, 31.90)]),
]
TRIBUTARY = [("t1", [(121.15, 31.95), (121.15, 31.90)])]
SECTION_AT = (121.199, 31.9003)  # ~33 m north of m1, ~95 m above its end
FACILITY_A_AT = (121.1504, 31.93)  # ~38 m east of t1, ~3.3 km above its mouth
FACILITY_B_AT = (121.23, 31.9002)  # beside m2, downstream of the section


def feature(
    props: dict[str, Any], coords: list[tuple[float, float]] | None, kind: str = "LineString"
) -> dict:  # type: ignore[type-arg]
    geometry = None if coords is None else {"type": kind, "coordinates": [list(c) for c in coords]}
    if kind == "Point" and coords is not None:
        geometry = {"type": "Point", "coordinates": list(coords[0])}
    return {"type": "Feature", "properties": props, "geometry": geometry}


def river_features() -> list[dict]:  # type: ignore[type-arg]
    out = [feature({"line_id": i, "river_id": "M", "river_name": "主河"}, c) for i, c in MAIN]
    out += [feature({"line_id": i, "river_id": "T", "river_name": "支河"}, c) for i, c in TRIBUTARY]
    return out


def write_geojson(path: Path, features: list[dict]) -> Path:  # type: ignore[type-arg]
    doc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path
