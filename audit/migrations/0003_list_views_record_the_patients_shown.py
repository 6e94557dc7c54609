"""List pages record the ids of the patients they showed.

SQLite adds this column by rebuilding the table, which drops the table's triggers: the one
refusing updates (0002) is made again after it. PostgreSQL keeps it.
"""

from django.db import migrations, models

SQLITE_TRIGGER = """
    CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END
"""


def trigger_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_trigger"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="patient_ids",
            field=models.TextField(
                blank=True,
                help_text="List pages: the ids of the patients shown.",
                verbose_name="patients shown",
            ),
        ),
        migrations.RunPython(trigger_again, migrations.RunPython.noop),
    ]
