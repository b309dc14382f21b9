"""Coordinate datums and distances. Pure: no Django.

Phone GPS and photo EXIF are WGS-84; 高德 / 腾讯 SDKs report GCJ-02; 百度 reports BD-09; official data use
CGCS2000 (EPSG:4490), which equals WGS-84 to centimetres here. Everything is stored in WGS-84 and every
comparison happens there; around Haimen the GCJ-02 shift is ~480 m, larger than any sensible "photo taken
at the facility" radius, so mixing datums would make every location check meaningless.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum


class Datum(StrEnum):
    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"
    CGCS2000 = "cgcs2000"


DATUM_LABELS = {
    Datum.WGS84: "WGS-84（GPS / EXIF）",
    Datum.GCJ02: "GCJ-02（高德 / 腾讯）",
    Datum.BD09: "BD-09（百度）",
    Datum.CGCS2000: "CGCS2000（天地图 / 官方数据）",
}

# Krasovsky 1940 ellipsoid parameters of the public GCJ-02 algorithm.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0
EARTH_RADIUS_M = 6371008.8  # mean Earth radius (IUGG)


@dataclass(frozen=True)
class LonLat:
    lon: float
    lat: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lon) and math.isfinite(self.lat)):
            raise ValueError("坐标必须是有限数值")
        if not (-180.0 <= self.lon <= 180.0):
            raise ValueError("经度必须在 -180 到 180 之间")
        if not (-90.0 <= self.lat <= 90.0):
            raise ValueError("纬度必须在 -90 到 90 之间")


def in_china(lon: float, lat: float) -> bool:
    """The bounding box inside which the GCJ-02 shift applies (outside it GCJ-02 == WGS-84)."""
    return 73.66 <= lon <= 135.05 and 3.86 <= lat <= 53.55


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(p: LonLat) -> LonLat:
    if not in_china(p.lon, p.lat):
        return p
    dlat = _transform_lat(p.lon - 105.0, p.lat - 35.0)
    dlng = _transform_lng(p.lon - 105.0, p.lat - 35.0)
    radlat = p.lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return LonLat(p.lon + dlng, p.lat + dlat)


def gcj02_to_wgs84(p: LonLat, iterations: int = 3) -> LonLat:
    """Inverse of :func:`wgs84_to_gcj02` by fixed-point iteration (no closed form exists).

    Each step corrects the guess by the forward transform's residual; three steps are far below 1 m.
    """
    if not in_china(p.lon, p.lat):
        return p
    guess = p
    for _ in range(iterations):
        fwd = wgs84_to_gcj02(guess)
        lon = max(-180.0, min(180.0, guess.lon - (fwd.lon - p.lon)))
        lat = max(-90.0, min(90.0, guess.lat - (fwd.lat - p.lat)))
        guess = LonLat(lon, lat)
    return guess


def gcj02_to_bd09(p: LonLat) -> LonLat:
    z = math.sqrt(p.lon * p.lon + p.lat * p.lat) + 0.00002 * math.sin(p.lat * _X_PI)
    theta = math.atan2(p.lat, p.lon) + 0.000003 * math.cos(p.lon * _X_PI)
    return LonLat(z * math.cos(theta) + 0.0065, z * math.sin(theta) + 0.006)


def bd09_to_gcj02(p: LonLat) -> LonLat:
    x, y = p.lon - 0.0065, p.lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return LonLat(z * math.cos(theta), z * math.sin(theta))


def to_wgs84(p: LonLat, datum: Datum | str) -> LonLat:
    """Convert a point in ``datum`` to WGS-84 (the one datum everything is stored and compared in)."""
    datum = Datum(datum)
    if datum in (Datum.WGS84, Datum.CGCS2000):
        return p
    if datum is Datum.GCJ02:
        return gcj02_to_wgs84(p)
    return gcj02_to_wgs84(bd09_to_gcj02(p))


def from_wgs84(p: LonLat, datum: Datum | str) -> LonLat:
    datum = Datum(datum)
    if datum in (Datum.WGS84, Datum.CGCS2000):
        return p
    gcj = wgs84_to_gcj02(p)
    return gcj if datum is Datum.GCJ02 else gcj02_to_bd09(gcj)


def distance_m(a: LonLat, b: LonLat) -> float:
    """Great-circle (haversine) distance in metres; both points must be in the same datum."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlmb = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))
