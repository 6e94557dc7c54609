"""Clinicians set their patients' check-in activities and read the scores."""

from django.db import migrations

from clinic.migrations_helpers import grant

CLINICIAN_PERMISSIONS = {
    "patients": {
        "functionactivity": ("add", "change", "delete", "view"),
        "functioncheckin": ("view",),
        "functionscore": ("view",),
    },
}


def grant_checkin_permissions(apps, schema_editor):
    grant(apps, "Clinicians", CLINICIAN_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0005_session_log_permissions"),
        ("patients", "0006_function_checkins"),
    ]

    operations = [migrations.RunPython(grant_checkin_permissions, migrations.RunPython.noop)]
