"""Database functions over the stored geometry that GeoDjango does not name: a point's longitude and
latitude read by the database (``ST_X`` / ``ST_Y``, in PostGIS and SpatiaLite alike) instead of a GEOS
geometry built in Python per row — for lists of hundreds of sites (the upstream answer) the parsing cost
more than the query."""

from __future__ import annotations

from django.db.models import FloatField, Func


class Lon(Func):
    """A point's x: its longitude for the WGS-84 ``location`` fields (None for a null point)."""

    function = "ST_X"
    output_field = FloatField()


class Lat(Func):
    """A point's y: its latitude for the WGS-84 ``location`` fields (None for a null point)."""

    function = "ST_Y"
    output_field = FloatField()
