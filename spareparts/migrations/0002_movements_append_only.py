"""On PostgreSQL the stock ledger refuses UPDATE and DELETE of a movement at the database itself,
whatever code or console tries (TRUNCATE, used by test teardown and a full reset, is a table
operation and stays possible). SQLite, the embedded default, relies on ``Movement.save``/``delete``."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION spareparts_movement_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'stock movements are append-only (% refused)', TG_OP USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER spareparts_movement_append_only
    BEFORE UPDATE OR DELETE ON spareparts_movement
    FOR EACH ROW EXECUTE FUNCTION spareparts_movement_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS spareparts_movement_append_only ON spareparts_movement;
DROP FUNCTION IF EXISTS spareparts_movement_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("spareparts", "0001_stock_ledger")]

    operations = [migrations.RunPython(forward, backward)]
