"""Store the size of every animation drawn before its size was stored with it.

Django reads an image field's width and height from the file when a row is loaded with them
empty, so until this ran every page listing exercises opened each exercise's animation.
"""

from django.core.files.storage import default_storage
from django.db import migrations
from PIL import Image, UnidentifiedImageError


def animation_sizes_store(apps, schema_editor):
    Exercise = apps.get_model("exercises", "Exercise")
    missing = Exercise.objects.exclude(animation="").filter(animation_width__isnull=True)
    for pk, name in missing.values_list("pk", "animation"):
        try:
            with default_storage.open(name) as file, Image.open(file) as moving:
                width, height = moving.size
        except (OSError, UnidentifiedImageError):
            continue  # a lost or broken file: the next load_library draws it again
        Exercise.objects.filter(pk=pk).update(animation_width=width, animation_height=height)


class Migration(migrations.Migration):
    dependencies = [
        ("exercises", "0015_exercise_tracking_rule"),
    ]

    operations = [
        migrations.RunPython(animation_sizes_store, migrations.RunPython.noop, elidable=True),
    ]
