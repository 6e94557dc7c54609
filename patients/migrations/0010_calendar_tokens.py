import secrets

from django.db import migrations, models

import patients.models


def fill_tokens(apps, schema_editor):
    patient_model = apps.get_model("patients", "Patient")
    for patient in patient_model.objects.filter(calendar_token=""):
        patient.calendar_token = secrets.token_urlsafe(32)
        patient.save(update_fields=["calendar_token"])


class Migration(migrations.Migration):
    dependencies = [("patients", "0009_reminders")]

    operations = [
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="patient",
            name="calendar_token",
            field=models.CharField(
                default=patients.models.new_calendar_token,
                editable=False,
                max_length=43,
                unique=True,
            ),
        ),
    ]
