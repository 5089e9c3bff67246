"""No double booking on PostgreSQL: an exclusion constraint over the bookings that hold their slot (pending or
approved) — the same room, overlapping time ranges (`tstzrange(starts_at, ends_at, '[)') && ...`). `room_id WITH =`
in a GiST index needs the `btree_gist` extension (created here: the migrating role needs the right to create it, or
a DBA creates it first; see docs/deployment.md). SQLite has no such constraint: the booking action locks the room's
row and checks for an overlap instead."""

from __future__ import annotations

from typing import Any

from django.db import migrations

CONSTRAINT = "venues_booking_no_overlap"


def add_constraint(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE venues_booking ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
        "WHERE (status IN ('pending', 'approved'))")


def drop_constraint(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE venues_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_venues_rooms_bookings_services_secondments")]

    operations = [migrations.RunPython(add_constraint, drop_constraint)]
