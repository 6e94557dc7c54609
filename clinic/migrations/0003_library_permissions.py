"""Library permissions: editors write the library; clinicians read it and build templates."""

from django.db import migrations

from clinic.migrations_helpers import grant

EDITOR_PERMISSIONS = {
    "exercises": {
        "exercise": ("add", "change", "delete", "view"),
        "program": ("add", "change", "delete", "view"),
        "programitem": ("add", "change", "delete", "view"),
    },
}
CLINICIAN_PERMISSIONS = {
    "exercises": {
        "exercise": ("view",),
        "program": ("add", "change", "delete", "view"),
        "programitem": ("add", "change", "delete", "view"),
    },
}


def grant_library_permissions(apps, schema_editor):
    grant(apps, "Content editors", EDITOR_PERMISSIONS)
    grant(apps, "Clinicians", CLINICIAN_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0002_role_groups"),
        ("exercises", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant_library_permissions, migrations.RunPython.noop)]
