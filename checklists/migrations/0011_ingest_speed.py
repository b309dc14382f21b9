"""A new inspection may not pin a retired template version: checked by the database at the insert.

On SQLite a later migration that rebuilds checklists_inspection (ALTER on SQLite copies the table)
drops the trigger: such a migration must create it again.

The API keeps published versions in memory per process (a version's content never changes); the only
change a version sees is its retirement, and this trigger makes every process see it at once, in the
same statement that inserts the inspection (no extra query per request). The message carries the code
the services turn into the 422 ``template_retired``.
"""

from django.db import migrations

POSTGRES = [
    """
    CREATE FUNCTION checklists_inspection_template_live() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (
            SELECT 1 FROM checklists_checklisttemplate WHERE id = NEW.template_id AND status = 'retired'
        ) THEN
            RAISE EXCEPTION USING
                MESSAGE = 'template_retired: template ' || NEW.template_id::text || ' is retired',
                ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END $$
    """,
    """
    CREATE TRIGGER checklists_inspection_template_live BEFORE INSERT ON checklists_inspection
    FOR EACH ROW EXECUTE FUNCTION checklists_inspection_template_live()
    """,
]
POSTGRES_UNDO = [
    "DROP TRIGGER IF EXISTS checklists_inspection_template_live ON checklists_inspection",
    "DROP FUNCTION IF EXISTS checklists_inspection_template_live()",
]
SQLITE = [
    """
    CREATE TRIGGER checklists_inspection_template_live BEFORE INSERT ON checklists_inspection
    WHEN (SELECT status FROM checklists_checklisttemplate WHERE id = NEW.template_id) = 'retired'
    BEGIN
        SELECT RAISE(ABORT, 'template_retired: the template is retired');
    END
    """,
]
SQLITE_UNDO = ["DROP TRIGGER IF EXISTS checklists_inspection_template_live"]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("checklists", "0010_outfall_and_pump_station_kinds")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRES_UNDO, "sqlite": SQLITE_UNDO}),
        )
    ]
