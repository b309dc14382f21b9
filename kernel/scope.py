"""Region scope as a query condition: rows whose region path lies inside the caller's scope.

Scopes are region *paths* (``/1/5/``); ``None`` means unrestricted (administrators), see
:meth:`kernel.access.Principal.region_paths`. Every app filters through this one function."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q

Paths = tuple[str, ...] | None


def scope_q(paths: Paths, field: str = "path") -> Q:
    """``Q`` matching rows whose region path ``field`` lies inside any of ``paths``.

    Unrestricted (``None``) is an explicit always-true condition, not an empty ``Q()``: Django drops an
    empty ``Q`` from ``a | Q()``, so "own rows OR everything" would silently become "own rows"."""
    if paths is None:
        return Q(pk__isnull=False)
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def scope_sql(paths: Paths, column: str, connection: Any) -> tuple[str, list[str]]:
    """``scope_q`` for hand-written SQL: ``column`` (a compiled region path column) inside any of ``paths``,
    as the ORM writes ``column__startswith`` on ``connection`` (its LIKE and its escaping of ``%``, ``_``
    and ``\\``), so both say the same. For the few reads that are one statement written by hand (the
    upstream answer); everything else filters with ``scope_q``."""
    if paths is None:
        return "1 = 1", []
    if not paths:
        return "1 = 0", []
    like = connection.operators["startswith"] % "%s"
    sql = " OR ".join(f"{column} {like}" for _ in paths)
    return f"({sql})", [connection.ops.prep_for_like_query(p) + "%" for p in paths]
