"""Writing small vector files (GeoPackage, Shapefile) for tests, through GDAL's C API.

``django.contrib.gis.gdal`` reads vector data only and ``ogr2ogr`` is not installed everywhere, so the few
OGR calls needed to write a layer are bound here with ctypes on the libgdal GeoDjango already loads.
"""

from __future__ import annotations

from ctypes import POINTER, byref, c_char_p, c_int, c_void_p
from pathlib import Path
from typing import Any

from django.contrib.gis.gdal import Driver, SpatialReference
from django.contrib.gis.gdal.libgdal import lgdal
from django.contrib.gis.geos import GEOSGeometry


def _fn(name: str, restype: Any, *argtypes: Any) -> Any:
    f = getattr(lgdal, name)
    f.restype, f.argtypes = restype, list(argtypes)
    return f


_driver = _fn("GDALGetDriverByName", c_void_p, c_char_p)
_create = _fn("GDALCreate", c_void_p, c_void_p, c_char_p, c_int, c_int, c_int, c_int, c_void_p)
_create_layer = _fn(
    "GDALDatasetCreateLayer", c_void_p, c_void_p, c_char_p, c_void_p, c_int, POINTER(c_char_p)
)
_field = _fn("OGR_Fld_Create", c_void_p, c_char_p, c_int)
_field_destroy = _fn("OGR_Fld_Destroy", None, c_void_p)
_add_field = _fn("OGR_L_CreateField", c_int, c_void_p, c_void_p, c_int)
_layer_defn = _fn("OGR_L_GetLayerDefn", c_void_p, c_void_p)
_feature = _fn("OGR_F_Create", c_void_p, c_void_p)
_feature_destroy = _fn("OGR_F_Destroy", None, c_void_p)
_set_string = _fn("OGR_F_SetFieldString", None, c_void_p, c_int, c_char_p)
_from_wkb = _fn("OGR_G_CreateFromWkb", c_int, c_char_p, c_void_p, POINTER(c_void_p), c_int)
_set_geometry = _fn("OGR_F_SetGeometryDirectly", c_int, c_void_p, c_void_p)
_add_feature = _fn("OGR_L_CreateFeature", c_int, c_void_p, c_void_p)
_close = _fn("GDALClose", None, c_void_p)

_OFT_STRING, _WKB_UNKNOWN = 4, 0


def write_layer(
    path: Path,
    driver: str,
    features: list[tuple[dict[str, str], str]],
    *,
    srid: int | None,
    fields: tuple[str, ...] = ("code", "name"),
    layer: str = "regions",
    encoding: str = "utf-8",
) -> Path:
    """Write ``features`` (attributes, WKT) as one layer; ``srid=None`` writes no SRS (no .prj). A shapefile
    in another ``encoding`` gets its bytes as they are and no .cpg, as older Chinese GIS software writes."""
    Driver.ensure_registered()
    ds = _create(_driver(driver.encode()), str(path).encode(), 0, 0, 0, 0, None)
    assert ds, f"GDAL could not create {path}"
    srs = SpatialReference(srid) if srid else None  # kept alive until the layer is written
    declared = b"ENCODING=UTF-8" if encoding == "utf-8" else b"ENCODING="
    options = (c_char_p * 2)(declared, None) if driver == "ESRI Shapefile" else None
    lyr = _create_layer(ds, layer.encode(), srs.ptr if srs else None, _WKB_UNKNOWN, options)
    assert lyr
    for name in fields:
        fld = _field(name.encode(), _OFT_STRING)
        assert _add_field(lyr, fld, 1) == 0
        _field_destroy(fld)
    defn = _layer_defn(lyr)
    for attrs, wkt in features:
        feat = _feature(defn)
        for i, name in enumerate(fields):
            if attrs.get(name) is not None:
                _set_string(feat, i, attrs[name].encode(encoding))
        wkb = bytes(GEOSGeometry(wkt).wkb)
        geom = c_void_p()
        assert _from_wkb(wkb, None, byref(geom), len(wkb)) == 0
        _set_geometry(feat, geom)
        assert _add_feature(lyr, feat) == 0
        _feature_destroy(feat)
    _close(ds)
    if encoding != "utf-8":
        path.with_suffix(".cpg").unlink(missing_ok=True)
    return path
