"""A content editor attaches a demonstration video to a library exercise: prepared by the
worker like a clinic video, then public media (it holds nobody's data), shown to every
patient with the exercise, and kept on a phone only when the patient asks."""

import os
from pathlib import Path

import av
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exercises.models import Exercise
from patients.offline import precache_manifest
from tests.admin_forms import exercise_form_data
from tests.factories import PrescribedExerciseFactory
from tests.videos import LOCATION, make_video

ADD = reverse("admin:exercises_exercise_add")


def video_upload(path, name="demo.mov"):
    with open(path, "rb") as handle:
        return SimpleUploadedFile(name, handle.read(), "video/quicktime")


@pytest.fixture
def with_video(client, editor, tmp_path):
    client.force_login(editor)
    source = make_video(tmp_path / "demo.mp4", width=640, height=360, location=LOCATION)
    response = client.post(ADD, exercise_form_data(video_upload=video_upload(source)))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Exercise.objects.get(slug="seated-hip-march")


def test_an_editor_attaches_a_video_to_a_library_exercise(client, with_video, settings):
    exercise = with_video
    assert exercise.video_status == "ready", exercise.video_error
    assert exercise.video.url.startswith("/media/exercises/seated-hip-march/video-")
    assert exercise.video_poster.url.endswith(".jpg")
    path = exercise.video.path
    assert path.startswith(str(settings.MEDIA_ROOT))
    with av.open(path) as stored:
        assert [s.codec_context.name for s in stored.streams] == ["h264", "aac"]
        assert "location" not in stored.metadata
    assert b"51.5074" not in Path(path).read_bytes()
    assert not exercise.video_original  # the original upload is gone
    assert os.listdir(settings.PRIVATE_MEDIA_ROOT / "exercises" / "seated-hip-march") == []
    # The editor's page shows it.
    page = client.get(reverse("admin:exercises_exercise_change", args=[exercise.pk]))
    html = page.content.decode()
    assert f'src="{exercise.video.url}"' in html
    assert 'data-video-status="ready"' in html
    assert 'accept="video/*"' in html
    assert 'capture="environment"' in html


def test_patients_see_it_and_keep_it_offline_only_when_they_ask(client, with_video, patient):
    exercise = with_video
    prescribed = PrescribedExerciseFactory(prescription__patient=patient, exercise=exercise)
    client.force_login(patient.user)
    page = client.get(reverse("patients:exercise", args=[prescribed.pk])).content.decode()
    assert f'<source src="{exercise.video.url}" type="video/mp4">' in page
    assert f'poster="{exercise.video_poster.url}"' in page
    assert "Keep videos on this phone" in page  # how to watch it offline
    manifest = precache_manifest(patient)
    assert exercise.video_poster.url in manifest["images"]
    assert manifest["videos"] == []  # large: not by default
    patient.keep_videos_offline = True
    assert precache_manifest(patient)["videos"] == [exercise.video.url]


def test_an_editor_removes_the_video(client, with_video, settings):
    exercise = with_video
    name = exercise.video.path
    data = exercise_form_data(remove_video="on")
    response = client.post(reverse("admin:exercises_exercise_change", args=[exercise.pk]), data)
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert (exercise.video_status, exercise.video.name) == ("", "")
    assert not os.path.exists(name)


def test_a_picture_is_not_a_video(client, editor, tmp_path):
    from PIL import Image

    Image.new("RGB", (64, 64), "red").save(tmp_path / "still.png")
    client.force_login(editor)
    response = client.post(
        ADD, exercise_form_data(video_upload=video_upload(tmp_path / "still.png", "still.mp4"))
    )
    assert response.status_code == 200
    assert "This file is not a video we can read" in response.content.decode()
    assert not Exercise.objects.filter(slug="seated-hip-march").exists()
