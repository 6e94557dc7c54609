"""Prescribing permissions: clinicians manage prescriptions of their own patients (the
admin limits them to their own rows)."""

from django.db import migrations

from clinic.migrations_helpers import grant

CLINICIAN_PERMISSIONS = {
    "patients": {
        "prescription": ("add", "change", "delete", "view"),
        "prescribedexercise": ("add", "change", "delete", "view"),
    },
}


def grant_prescribing_permissions(apps, schema_editor):
    grant(apps, "Clinicians", CLINICIAN_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0003_library_permissions"),
        ("patients", "0002_prescriptions_and_invitations"),
    ]

    operations = [migrations.RunPython(grant_prescribing_permissions, migrations.RunPython.noop)]
