"""No double booking, guaranteed by PostgreSQL: an exclusion constraint forbids two
occupied-slot rows of one unit whose time ranges overlap (half-open ranges, so
10:00–11:00 and 11:00–12:00 may coexist). btree_gist lets the GiST index compare
the unit id with ``=``.

SQLite has no exclusion constraints; there bookings are written in IMMEDIATE
transactions that check for overlaps first (cms.reservations.services), and both
operations below do nothing.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "reservations_no_double_booking"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE reservations_occupiedslot ADD CONSTRAINT {CONSTRAINT} "
        "EXCLUDE USING gist (unit_id WITH =, "
        "tstzrange(starts_at, ends_at, '[)') WITH &&)"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE reservations_occupiedslot DROP CONSTRAINT IF EXISTS {CONSTRAINT}"
    )


class Migration(migrations.Migration):
    dependencies = [("reservations", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_constraint, drop_constraint),
    ]
