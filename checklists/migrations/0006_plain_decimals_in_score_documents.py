"""Score documents stored before issue 13 hold whole points in exponent notation ("1E+2", "9E+1": what
``Decimal.normalize()`` gives). Rewrite them as every new document writes them ("100", "90"): the same
numbers, so no score, finding or scoreboard changes, and every reader — the API, the drill-down, the
single-award sums done in SQL — sees one plain form. Revisions are rewritten too: their numbers are
unchanged, only the way they are spelled."""

import re
from decimal import Decimal

from django.db import migrations

EXPONENT = re.compile(r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+")
TOP = ("percent", "base_earned", "base_maximum", "bonus", "penalty")
NESTED = {"sections": ("earned", "maximum"), "items": ("earned", "maximum", "lost")}
CHUNK = 500


def plain(value):
    if not (isinstance(value, str) and EXPONENT.fullmatch(value)):
        return value
    number = Decimal(value)
    whole = number.to_integral_value()
    return format(whole if number == whole else number, "f")


def plain_document(document):
    if not isinstance(document, dict):
        return document
    out = {**document, **{k: plain(document[k]) for k in TOP if k in document}}
    for list_key, keys in NESTED.items():
        if isinstance(document.get(list_key), list):
            out[list_key] = [
                {**e, **{k: plain(e[k]) for k in keys if k in e}} if isinstance(e, dict) else e
                for e in document[list_key]
            ]
    return out


def forwards(apps, schema_editor):
    for name in ("Inspection", "InspectionRevision"):
        model = apps.get_model("checklists", name)
        # By chunks of primary keys, not one iterator: SQLite gives no isolation between a cursor being
        # read and updates on the same connection.
        pks = list(model.objects.filter(score__isnull=False).order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), CHUNK):
            rows = model.objects.filter(pk__in=pks[start : start + CHUNK]).only("pk", "score")
            changed = []
            for row in rows:
                document = plain_document(row.score)
                if document != row.score:
                    row.score = document
                    changed.append(row)
            model.objects.bulk_update(changed, ["score"])


class Migration(migrations.Migration):
    dependencies = [("checklists", "0005_inspection_corrections")]

    # Backwards: nothing to undo — the plain text is what the code before this migration reads as well.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
