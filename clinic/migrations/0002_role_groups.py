"""Create the role groups and give them their model permissions.

Permissions normally appear only after all migrations (post_migrate), so they are created
here first for the apps this migration depends on. Later migrations that add models extend
these groups in the same way (see ``clinic.migrations_helpers``).
"""

from django.db import migrations

from clinic.migrations_helpers import grant

CLINICIAN_PERMISSIONS = {
    "patients": {"patient": ("add", "change", "delete", "view")},
}


def create_groups(apps, schema_editor):
    grant(apps, "Clinicians", CLINICIAN_PERMISSIONS)
    grant(apps, "Content editors", {})


def delete_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Clinicians", "Content editors"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0001_initial"),
        ("patients", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, delete_groups)]
