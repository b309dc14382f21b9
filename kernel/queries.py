"""Query helpers every app may use (no app code imported).

``AnyOf(F("pk"), ids)``: membership in a long list of values passed as **one** parameter — a PostgreSQL
array (``= ANY(%s)``) or, on SQLite, a JSON text (``IN (SELECT value FROM json_each(%s))``) — where
``pk__in=ids`` sends one placeholder per value. With the client-side binding psycopg uses here, a list of
hundreds of ids (the sites reached upstream of a section, their rectifications) cost more to compile, send
and parse than the query took to run (bench/upstream). Use it in ``filter()`` as an expression:
``Model.objects.filter(AnyOf(F("line_id"), lines))``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db.models import Lookup


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs: Any, rhs: Iterable[Any]) -> None:
        super().__init__(lhs, list(rhs))

    def get_prep_lookup(self) -> Any:
        return self.rhs  # prepared in as_sql, once the left side is resolved to its column

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(v, connection, prepared=False) for v in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608 - lhs is the compiled column
        return sql, [*lhs_params, json.dumps(values)]
