"""Each medium rendition's real size is stored with it, so pages give every <img> its true
width and height; the migration fills the size of renditions stored before."""

import importlib

import pytest
from django.apps import apps

from exercises import services
from exercises.models import Exercise
from tests.exercises.images import picture_upload
from tests.factories import ExerciseFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("exercises.migrations.0008_medium_picture_sizes")


def test_a_saved_picture_stores_its_rendition_size():
    exercise = ExerciseFactory()
    services.exercise_save(
        exercise=exercise,
        start_image=picture_upload(size=(1600, 400)),
        end_image=picture_upload(size=(300, 200)),
    )
    stored = Exercise.objects.get(pk=exercise.pk)
    assert (stored.image_medium_width, stored.image_medium_height) == (720, 180)
    assert (stored.end_image_medium_width, stored.end_image_medium_height) == (300, 200)


def test_the_migration_fills_the_sizes_of_older_renditions():
    exercise = ExerciseFactory()
    services.exercise_save(exercise=exercise, start_image=picture_upload(size=(1600, 400)))
    Exercise.objects.filter(pk=exercise.pk).update(
        image_medium_width=None, image_medium_height=None
    )
    migration.sizes_fill(apps, None)
    stored = Exercise.objects.get(pk=exercise.pk)
    assert (stored.image_medium_width, stored.image_medium_height) == (720, 180)
