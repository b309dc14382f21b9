"""Scoreboard rows compressed with lz4 on PostgreSQL (≥ 14): a recomputation writes a new draft of
~0.5 MB of JSON per 1,000 units, and lz4 compresses it in a third of pglz's time. Nothing to do on
SpatiaLite or an older PostgreSQL; a server built without lz4 keeps the default."""

from django.db import migrations

COLUMN_COMPRESSION = """
DO $$
BEGIN
    ALTER TABLE scoring_scoreboard ALTER COLUMN rows SET COMPRESSION {method};
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'scoring_scoreboard.rows keeps the default compression';
END
$$;
"""


def compress(method: str):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor == "postgresql" and connection.pg_version >= 140000:
            schema_editor.execute(COLUMN_COMPRESSION.format(method=method))

    return run


class Migration(migrations.Migration):
    dependencies = [("scoring", "0004_water_measurements")]

    operations = [migrations.RunPython(compress("lz4"), compress("default"))]
