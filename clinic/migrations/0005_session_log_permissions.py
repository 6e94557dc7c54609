"""Clinicians read their patients' session logs and check-offs (the admin scopes the rows);
only patients write them."""

from django.db import migrations

from clinic.migrations_helpers import grant

CLINICIAN_PERMISSIONS = {
    "patients": {
        "sessionlog": ("view",),
        "exercisecheck": ("view",),
    },
}


def grant_session_log_permissions(apps, schema_editor):
    grant(apps, "Clinicians", CLINICIAN_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0004_prescribing_permissions"),
        ("patients", "0003_session_logs"),
    ]

    operations = [migrations.RunPython(grant_session_log_permissions, migrations.RunPython.noop)]
