"""The exercise's animation on the patient's pages, in the offline copy and in the editors'
admin: shown behind prefers-reduced-motion (the still otherwise), lazily, never on Today."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from exercises import services
from exercises.models import Exercise
from tests.clock import TODAY
from tests.factories import PrescribedExerciseFactory, PrescriptionFactory

pytestmark = pytest.mark.django_db

MOTION = '<source media="(prefers-reduced-motion: no-preference)" srcset="{}"'


def animated_webp(frames: int = 4) -> bytes:
    """A real little looping animated WebP, made with Pillow."""
    pictures = [Image.new("RGB", (48, 20), (40 * n, 120, 160)) for n in range(frames)]
    buffer = io.BytesIO()
    pictures[0].save(
        buffer, format="WEBP", save_all=True, append_images=pictures[1:], duration=100, loop=0
    )
    return buffer.getvalue()


def still_png() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 220, 230)).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="illustration.png")


@pytest.fixture
def animated(patient):
    """A prescription of two exercises: one with pictures and an animation, one with only
    pictures (the clinic's own exercise, with no pose data to animate)."""
    prescription = PrescriptionFactory(
        patient=patient, start_date=TODAY - datetime.timedelta(days=3)
    )
    moving = PrescribedExerciseFactory(prescription=prescription, order=1, exercise__name="Bridge")
    still = PrescribedExerciseFactory(prescription=prescription, order=2, exercise__name="Ours")
    for prescribed in (moving, still):
        for slot in ("start", "end"):
            services.exercise_image_set(exercise=prescribed.exercise, slot=slot, source=still_png())
    services.exercise_animation_set(exercise=moving.exercise, data=animated_webp())
    moving.exercise.refresh_from_db()
    return moving, still


def test_the_animation_is_stored_with_its_size_and_a_name_from_its_content(animated):
    moving, _ = animated
    exercise = moving.exercise
    assert exercise.animation.name.startswith(f"exercises/{exercise.slug}/animation-")
    assert (exercise.animation_width, exercise.animation_height) == (48, 20)
    with Image.open(exercise.animation.path) as image:
        assert image.format == "WEBP"
        assert image.n_frames == 4
    # Drawing the same again keeps the file; a new drawing replaces it.
    first = exercise.animation.name
    services.exercise_animation_set(exercise=exercise, data=animated_webp())
    assert exercise.animation.name == first
    services.exercise_animation_set(exercise=exercise, data=animated_webp(frames=5))
    assert exercise.animation.name != first


def test_the_exercise_page_shows_the_animation_unless_less_motion_is_asked_for(
    client, patient, animated
):
    moving, still = animated
    client.force_login(patient.user)
    html = client.get(reverse("patients:exercise", args=[moving.pk])).content.decode()
    exercise = moving.exercise
    assert MOTION.format(exercise.animation.url) in html
    # The still inside the same <picture> is what reduced motion (or an old browser) shows.
    assert f'<img src="{exercise.image_medium.url}"' in html
    assert "Bridge: a drawing of the movement, from the start position to the end position" in html
    assert 'loading="lazy"' in html
    assert "The movement: start, end and back" in html

    html = client.get(reverse("patients:exercise", args=[still.pk])).content.decode()
    assert "<source" not in html
    assert f'<img src="{still.exercise.image_medium.url}"' in html
    assert "Ours: how to start" in html


def test_guided_mode_shows_each_animation_lazily_and_today_shows_none(client, patient, animated):
    moving, _ = animated
    client.force_login(patient.user)
    guided = client.get(reverse("patients:guided", args=[TODAY.isoformat(), 1])).content.decode()
    assert MOTION.format(moving.exercise.animation.url) in guided
    start = guided.index(MOTION.format(moving.exercise.animation.url))
    assert 'loading="lazy"' in guided[start : guided.index("</picture>", start)]

    today = client.get(reverse("patients:today")).content.decode()
    assert moving.exercise.animation.url not in today
    assert moving.exercise.image_medium.url in today


def test_the_offline_copy_keeps_the_animations(client, patient, animated):
    moving, still = animated
    client.force_login(patient.user)
    data = client.get(reverse("patients:offline_manifest")).json()
    assert moving.exercise.animation.url in data["images"]
    for prescribed in (moving, still):
        assert prescribed.exercise.image_medium.url in data["images"]
    assert len(data["images"]) == 5  # two pictures each, and one animation


def test_editors_see_the_animation_in_the_admin(client, editor, animated):
    moving, still = animated
    client.force_login(editor)
    url = reverse("admin:exercises_exercise_change", args=[moving.exercise.pk])
    html = client.get(url).content.decode()
    assert MOTION.format(moving.exercise.animation.url) in html
    assert "Bridge: the movement" in html
    url = reverse("admin:exercises_exercise_change", args=[still.exercise.pk])
    assert "None: the clinic" in client.get(url).content.decode()


def test_deleting_an_exercise_deletes_its_animation(animated, django_capture_on_commit_callbacks):
    moving, _ = animated
    exercise = Exercise.objects.get(pk=moving.exercise.pk)
    storage, name = exercise.animation.storage, exercise.animation.name
    moving.delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.exercise_delete(exercise=exercise)
    assert not storage.exists(name)
