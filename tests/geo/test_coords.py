"""GCJ-02 / BD-09 / WGS-84 conversion and distances (pure, no database)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import coords
from geo.coords import Datum, LonLat

china_lon = st.floats(min_value=73.7, max_value=135.0, allow_nan=False)
china_lat = st.floats(min_value=3.9, max_value=53.5, allow_nan=False)


@given(china_lon, china_lat)
@settings(max_examples=400, deadline=None)
def test_gcj02_round_trip_within_one_metre(lon: float, lat: float) -> None:
    p = LonLat(lon, lat)
    back = coords.gcj02_to_wgs84(coords.wgs84_to_gcj02(p))
    assert coords.distance_m(p, back) < 1.0


@given(china_lon, china_lat)
@settings(max_examples=200, deadline=None)
def test_bd09_round_trip_within_one_metre(lon: float, lat: float) -> None:
    p = LonLat(lon, lat)
    back = coords.to_wgs84(coords.from_wgs84(p, Datum.BD09), Datum.BD09)
    assert coords.distance_m(p, back) < 1.0


def test_shift_around_haimen_is_hundreds_of_metres() -> None:
    # The reason every stored point records its datum: the shift dwarfs any "at the facility" radius.
    haimen = LonLat(121.17, 31.90)
    shift = coords.distance_m(haimen, coords.wgs84_to_gcj02(haimen))
    assert 400 < shift < 600
    gcj = coords.wgs84_to_gcj02(haimen)
    # GCJ-02 moves points in eastern China to the east-south-east... of a few thousandths of a degree.
    assert 0.003 < gcj.lon - haimen.lon < 0.006
    assert -0.004 < gcj.lat - haimen.lat < 0.0


@pytest.mark.parametrize(
    "p", [LonLat(2.35, 48.85), LonLat(-74.0, 40.7), LonLat(139.7, 35.7), LonLat(151.2, -33.9)]
)
def test_no_shift_outside_china(p: LonLat) -> None:
    assert coords.wgs84_to_gcj02(p) == p
    assert coords.gcj02_to_wgs84(p) == p


@pytest.mark.parametrize("datum", [Datum.WGS84, Datum.CGCS2000])
def test_wgs84_and_cgcs2000_are_identity(datum: Datum) -> None:
    p = LonLat(121.17, 31.90)
    assert coords.to_wgs84(p, datum) == p
    assert coords.from_wgs84(p, datum) == p


def test_to_wgs84_accepts_datum_strings_and_rejects_unknown() -> None:
    p = LonLat(121.17, 31.90)
    assert coords.to_wgs84(p, "gcj02") == coords.gcj02_to_wgs84(p)
    with pytest.raises(ValueError):
        coords.to_wgs84(p, "mars")


def test_distance_known_values() -> None:
    # One degree of latitude on the mean sphere: 2πR/360.
    assert coords.distance_m(LonLat(121, 31), LonLat(121, 32)) == pytest.approx(
        2 * math.pi * coords.EARTH_RADIUS_M / 360, rel=1e-9
    )
    assert coords.distance_m(LonLat(121.17, 31.9), LonLat(121.17, 31.9)) == 0.0


@given(china_lon, china_lat, china_lon, china_lat)
def test_distance_is_symmetric_and_non_negative(a: float, b: float, c: float, d: float) -> None:
    p, q = LonLat(a, b), LonLat(c, d)
    assert coords.distance_m(p, q) == pytest.approx(coords.distance_m(q, p))
    assert coords.distance_m(p, q) >= 0


@pytest.mark.parametrize(
    ("lon", "lat"), [(181, 0), (-181, 0), (0, 91), (0, -90.5), (float("nan"), 0), (0, float("inf"))]
)
def test_lonlat_rejects_impossible_values(lon: float, lat: float) -> None:
    with pytest.raises(ValueError):
        LonLat(lon, lat)
