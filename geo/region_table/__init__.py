"""A district's list of divisions (CSV / XLSX) → region rows and row errors, for ``manage.py import_regions``.

Pure: the standard library, shapely and ``kernel.tables`` (format, encoding, delimiter, header search —
shared with the ledger and water imports); no Django. ``REGION_LEVELS`` mirrors ``geo.models.RegionLevel``
(a test keeps them in step). The caller owns the database side: which codes exist, parents, the upsert.

Columns (Chinese or English headers, ``REGION_COLUMNS``): 区划代码 and 名称 are required; 级别, 上级代码,
代码来源, 其他来源代码, 区镇类型, 户数 and 边界 are optional.

- 区划代码: 12 digits; a 9-digit town code (NBS lists towns so) gets "000", a 6-digit county code
  "000000". Blank only for villages and natural villages, which then need 上级代码.
- 级别: district / town / village / natural_village or Chinese (区, 镇, 街道, 园区, 行政村, 社区, 自然村,
  村民小组 …). Blank → read from the code's structure (``level_of_code``: ``320614000000`` a district,
  ``320614103000`` a town, ``320614103201`` a village); given, it must agree with that structure, except for
  natural villages, which have no 统计用区划代码 and so no structure to agree with.
- 上级代码: blank → derived for towns (the code's first 6 digits + "000000") and villages (first 9 +
  "000"); required for natural villages and for villages without a code. When given it wins over the
  derivation (public datasets disagree on town codes; the parent is also found by its ``alt_codes``).
- 代码来源: nbs / other / office / synthetic or 国家统计局, 其他公开数据集, 区办公室核定, 演示.
- 其他来源代码: codes separated by 、,; or spaces (codes the same unit has in other datasets).
- 区镇类型: 镇 / 街道 / 园区 (towns only); blank → from the name's ending (…街道; …园区 / 新区 /
  开发区; …镇 / 乡).
- 户数: natural villages only, a whole number ≥ 0.
- 边界: WKT or GeoJSON (a geometry or a Feature), Polygon or MultiPolygon, in WGS-84 lon/lat. Larger
  boundaries come from GIS files (shapefile / GeoPackage), which this import does not read.

A file that cannot be read raises ``RegionFileError`` (``FILE_ERROR_CODES``); everything else is a
``RowError`` (``ROW_ERROR_CODES``) naming the row, the column, a stable code and a zh-Hans message.
``RegionTable.rows`` holds only rows without errors. A repeated code (or, without a code, the same name
under the same parent code) is an error on the later row. Blank rows are skipped.
"""

from .codes import boundary_wkt, level_of_code, normalise_code, parent_code_of, town_kind_of
from .layout import (
    CODE_SOURCES,
    DEFAULT_MAX_ROWS,
    DISTRICT,
    FILE_ERROR_CODES,
    NATURAL_VILLAGE,
    PARENT_LEVEL,
    REGION_COLUMNS,
    REGION_HEADERS,
    REGION_LEVELS,
    ROW_ERROR_CODES,
    TOWN,
    TOWN_KINDS,
    VILLAGE,
    RegionFileError,
    RegionRow,
    RegionTable,
    RowError,
)
from .parser import parse_regions

__all__ = [
    "CODE_SOURCES",
    "DEFAULT_MAX_ROWS",
    "DISTRICT",
    "FILE_ERROR_CODES",
    "NATURAL_VILLAGE",
    "PARENT_LEVEL",
    "REGION_COLUMNS",
    "REGION_HEADERS",
    "REGION_LEVELS",
    "ROW_ERROR_CODES",
    "TOWN",
    "TOWN_KINDS",
    "VILLAGE",
    "RegionFileError",
    "RegionRow",
    "RegionTable",
    "RowError",
    "boundary_wkt",
    "level_of_code",
    "normalise_code",
    "parent_code_of",
    "parse_regions",
    "town_kind_of",
]
