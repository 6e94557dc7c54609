"""Editors keep the precaution tags and the safety advice; clinicians read the tags (to tag
their patients) and the advice."""

from django.db import migrations

from clinic.migrations_helpers import grant

EDITOR_PERMISSIONS = {
    "exercises": {
        "precautiontag": ("add", "change", "delete", "view"),
        "safetyadvice": ("add", "view"),
    },
}
CLINICIAN_PERMISSIONS = {
    "exercises": {"precautiontag": ("view",), "safetyadvice": ("view",)},
}


def grant_safety_permissions(apps, schema_editor):
    grant(apps, "Content editors", EDITOR_PERMISSIONS)
    grant(apps, "Clinicians", CLINICIAN_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0006_function_checkin_permissions"),
        ("exercises", "0003_safety_advice_and_precaution_tags"),
    ]

    operations = [migrations.RunPython(grant_safety_permissions, migrations.RunPython.noop)]
