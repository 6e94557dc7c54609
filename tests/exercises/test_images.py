import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from exercises import images, services
from tests.exercises.images import picture_bytes, picture_upload, upload
from tests.factories import ExerciseFactory

pytestmark = pytest.mark.django_db


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_real_png_is_accepted_with_renditions_of_the_expected_sizes(settings):
    exercise = ExerciseFactory()
    services.exercise_save(exercise=exercise, start_image=picture_upload(size=(3000, 2000)))
    exercise.refresh_from_db()
    with Image.open(exercise.image.path) as original:
        assert max(original.size) == images.MAX_EDGE
        assert original.format == "JPEG"
    with Image.open(exercise.image_thumbnail.path) as thumbnail:
        assert thumbnail.format == "WEBP"
        assert thumbnail.size == (240, 160)
    with Image.open(exercise.image_medium.path) as medium:
        assert medium.format == "WEBP"
        assert medium.size == (720, 480)
    assert exercise.image_medium.size < 100_000
    assert len(stored_files(settings)) == 3


def test_jpeg_is_rotated_upright_and_stripped_of_exif():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "SecretCam"  # Make
    exif[0x9286] = "GPS-ish comment"
    data = picture_bytes(size=(400, 200), image_format="JPEG", exif=exif.tobytes())
    exercise = ExerciseFactory()
    services.exercise_save(exercise=exercise, start_image=upload(data, "photo.jpg", "image/jpeg"))
    with Image.open(exercise.image.path) as stored:
        assert stored.size == (200, 400)
        assert not stored.getexif()
        assert "exif" not in stored.info


def test_transparent_png_keeps_its_transparency_in_the_original():
    data = picture_bytes(mode="RGBA", colour=(0, 0, 0, 0))
    exercise = ExerciseFactory()
    services.exercise_save(exercise=exercise, start_image=upload(data))
    assert exercise.image.name.endswith(".png")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"just some text, not a picture" * 10, "notes.png", "not a picture we can read"),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>',
            "drawing.png",
            "SVG and other drawing files are not accepted",
        ),
        (b"<svg onload=alert(1)></svg>", "evil.svg", "SVG"),
        (picture_bytes(image_format="GIF"), "anim.gif", "This is a GIF file"),
        (picture_bytes(image_format="PNG")[:100], "truncated.png", "not a picture we can read"),
    ],
    ids=["text-renamed-png", "svg-renamed-png", "svg", "gif", "truncated-png"],
)
def test_non_pictures_are_refused_with_a_clear_message(data, name, message):
    with pytest.raises(ValidationError, match=message):
        images.validate_image_upload(upload(data, name))


def test_too_many_pixels_is_refused(settings):
    settings.IMAGE_MAX_PIXELS = 1_000_000
    with pytest.raises(ValidationError, match=r"2000 × 1000 pixels .* the limit is 1 megapixels"):
        images.validate_image_upload(picture_upload(size=(2000, 1000)))


@pytest.mark.slow
def test_decompression_bomb_is_refused():
    # A tiny file that claims 30000 × 30000 pixels (900 MP), above Pillow's own bomb limit.
    buffer = io.BytesIO()
    Image.new("1", (30000, 30000)).save(buffer, format="PNG")
    assert buffer.tell() < 200_000
    with pytest.raises(ValidationError, match=r"far too large in pixels|the limit is"):
        images.validate_image_upload(upload(buffer.getvalue(), "bomb.png"))


def test_over_size_file_is_refused(settings):
    settings.IMAGE_MAX_BYTES = 10_000
    with pytest.raises(ValidationError, match=r"This file is 0\.\d MB; the largest"):
        images.validate_image_upload(upload(b"\x89PNG" + b"0" * 20_000, "big.png"))


def test_replacing_an_image_deletes_the_old_files(settings, django_capture_on_commit_callbacks):
    exercise = ExerciseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.exercise_save(exercise=exercise, start_image=picture_upload(colour=(1, 2, 3)))
    first = stored_files(settings)
    with django_capture_on_commit_callbacks(execute=True):
        services.exercise_save(exercise=exercise, start_image=picture_upload(colour=(9, 9, 9)))
    second = stored_files(settings)
    assert len(first) == len(second) == 3
    assert not set(first) & set(second)


def test_removing_and_deleting_clean_up_files(settings, django_capture_on_commit_callbacks):
    exercise = ExerciseFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.exercise_save(
            exercise=exercise, start_image=picture_upload(), end_image=picture_upload()
        )
    assert len(stored_files(settings)) == 6
    with django_capture_on_commit_callbacks(execute=True):
        services.exercise_save(exercise=exercise, remove_end_image=True)
    assert len(stored_files(settings)) == 3
    assert not exercise.end_image
    with django_capture_on_commit_callbacks(execute=True):
        services.exercise_delete(exercise=exercise)
    assert stored_files(settings) == []
